/**
 * The daemon's configuration: defaults, then the JSON file given with `--config`, then flags.
 * Validated before anything starts; a bad value names itself and the file.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { DriverEntrySchema, type DriverEntry } from "./driver-loader/types.js";
import { LOG_LEVELS } from "./logger.js";

export const DEFAULT_SOCKET = "/run/netd/netd.sock";
export const DEFAULT_DATA_DIR = "/var/lib/netd";

const Absolute = z.string().refine((p) => p.startsWith("/"), { message: "must be an absolute path" });

/** Every setting; the config file uses the same keys (all optional). */
export const DaemonConfigSchema = z.strictObject({
  socket: Absolute.default(DEFAULT_SOCKET),
  dataDir: Absolute.default(DEFAULT_DATA_DIR),
  userlandProxy: z.boolean().default(true),
  /**
   * Hold published host ports with sockets so no other program takes them. false where the
   * container runtime holds them itself (podman with CNI, as the reference portmap plugin
   * expects); use it with userlandProxy false.
   */
  reserveHostPorts: z.boolean().default(true),
  logLevel: z.enum(LOG_LEVELS).default("info"),
  /** Group that owns the socket (mode 0660); absent: the daemon's group. */
  group: z.string().min(1).optional(),
  /** Prefix of the namespaces netd creates for sandboxes. */
  netnsPrefix: z.string().regex(/^[a-zA-Z0-9_.-]{1,32}$/).default("netd-"),
  /** The resolv.conf whose nameservers the DNS service forwards to (a loopback one is replaced by systemd-resolved's upstreams). */
  dnsResolvConf: Absolute.default("/etc/resolv.conf"),
  /** Create the default network `bridge` (bridge device netd0) at start, as dockerd creates docker0. */
  defaultBridge: z.boolean().default(true),
  /**
   * Drivers to load besides the built-in ones: npm package names or paths to ES modules
   * (relative to the config file), or `{ "module": …, "options": {…} }` (factory options).
   * Config file only. See docs/writing-a-driver.md.
   */
  drivers: z.array(DriverEntrySchema).default([]),
});
export type DaemonConfig = z.infer<typeof DaemonConfigSchema>;

/** Merges file and flags (flags win) and validates; throws an Error naming the bad key. */
export function loadDaemonConfig(file: string | undefined, flags: Partial<Record<keyof DaemonConfig, unknown>>): DaemonConfig {
  let fromFile: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`cannot read config file ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  const merged = { ...fromFile, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const parsed = DaemonConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || (i as { keys?: string[] }).keys?.join(", ") || "config"}: ${i.message}`);
    throw new Error(`invalid daemon configuration${file ? ` (${file} and flags)` : ""}: ${issues.join("; ")}`);
  }
  return file === undefined ? parsed.data : { ...parsed.data, drivers: parsed.data.drivers.map((d) => relativeTo(dirname(resolve(file)), d)) };
}

/** A path entry ("./x.js", "../x.js") made absolute against the config file's directory; package names stay. */
function relativeTo(dir: string, entry: DriverEntry): DriverEntry {
  const fix = (m: string): string => (!isAbsolute(m) && (m.startsWith("./") || m.startsWith("../")) ? resolve(dir, m) : m);
  return typeof entry === "string" ? fix(entry) : { ...entry, module: fix(entry.module) };
}

/** The numeric gid of a group name (from /etc/group) or number. */
export function resolveGroup(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
    const [name, , gid] = line.split(":");
    if (name === group && gid !== undefined) return Number(gid);
  }
  throw new Error(`unknown group '${group}' for the socket; create it or pass a group that exists in /etc/group`);
}
