/**
 * The upstream resolvers other names go to, read from the host's resolv.conf. A loopback
 * nameserver (systemd-resolved's 127.0.0.53) is replaced by resolved's real upstreams from
 * /run/systemd/resolve/resolv.conf, as Docker does, so sandboxes are told servers they can
 * reach when netd hands them the host's servers.
 */
import { readFileSync, statSync } from "node:fs";
import ipaddr from "ipaddr.js";

export const HOST_RESOLV_CONF = "/etc/resolv.conf";
export const RESOLVED_RESOLV_CONF = "/run/systemd/resolve/resolv.conf";

/** What a resolv.conf says (only the keys netd uses). */
export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  readonly options: readonly string[];
}

/** Parses resolv.conf text; unknown lines and invalid addresses are ignored, as glibc does. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  const options: string[] = [];
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === "nameserver" && rest[0]) {
      const ip = rest[0].replace(/%.*$/, "");
      if (ipaddr.isValid(ip)) nameservers.push(ip);
    } else if (key === "search" || key === "domain") search = rest.filter((s) => s.length > 0);
    else if (key === "options") options.push(...rest.filter((s) => s.length > 0));
  }
  return { nameservers, search, options };
}

export function isLoopback(ip: string): boolean {
  return ipaddr.isValid(ip) && ipaddr.process(ip).range() === "loopback";
}

/** Where {@link UpstreamSource} reads from; tests point both at their own files. */
export interface UpstreamFiles {
  readonly resolvConf?: string;
  readonly resolvedResolvConf?: string;
}

/**
 * The host's resolver settings with loopback servers replaced. Re-read when the file's
 * mtime changes (checked at most once a second), so an edited resolv.conf takes effect.
 */
export class UpstreamSource {
  private readonly files: Required<UpstreamFiles>;
  private cached: { key: string; value: ResolvConf } | null = null;
  private checkedAt = 0;

  constructor(files: UpstreamFiles = {}) {
    this.files = { resolvConf: files.resolvConf ?? HOST_RESOLV_CONF, resolvedResolvConf: files.resolvedResolvConf ?? RESOLVED_RESOLV_CONF };
  }

  /** The current settings; empty nameservers when no file is readable. */
  get(): ResolvConf {
    const now = Date.now();
    if (this.cached && now - this.checkedAt < 1000) return this.cached.value;
    this.checkedAt = now;
    const key = `${mtime(this.files.resolvConf)}/${mtime(this.files.resolvedResolvConf)}`;
    if (this.cached?.key !== key) this.cached = { key, value: this.load() };
    return this.cached.value;
  }

  private load(): ResolvConf {
    const host = parseResolvConf(readOr(this.files.resolvConf));
    if (host.nameservers.length === 0 || !host.nameservers.every(isLoopback)) return host;
    const resolved = parseResolvConf(readOr(this.files.resolvedResolvConf));
    // Only loopback and no resolved file: keep them; the daemon itself (host namespace) can reach them.
    return resolved.nameservers.length > 0 ? { ...host, nameservers: resolved.nameservers } : host;
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
