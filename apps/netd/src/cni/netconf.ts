/**
 * netd-cni's network config (one entry of a conflist, as the runtime passes it on stdin),
 * plus what reaches the plugin besides it: `runtimeConfig` (capabilities), `args.cni`, the
 * CNI_ARGS string and the GC list. Everything is validated here, before any lookup.
 */
import { canonicalIp } from "@netd/driverapi";
import type { PortBinding, Protocol } from "@netd/driverapi";
import { CniCode, CniError } from "./protocol.js";
import type { CniVerb } from "./request.js";

/** The plugin's settings and the per-call requests that came with them. */
export interface NetConf {
  /** The CNI network name: the netd network of that name is used (created on first use). */
  readonly name: string;
  readonly driver: string;
  readonly subnet: string | undefined;
  readonly gateway: string | undefined;
  /** An IPv6 subnet; "auto" for a ULA /64; absent = IPv4 only. */
  readonly subnet6: string | undefined;
  readonly internal: boolean;
  /** Driver options of the network (`-o`). */
  readonly options: Record<string, string>;
  readonly gwPriority: number;
  /** runtimeConfig.portMappings as netd bindings. */
  readonly portBindings: PortBinding[];
  /** Static addresses: runtimeConfig.ips, else CNI_ARGS IP=, else args.cni.ips (without prefix). */
  readonly ips: { readonly v4?: string; readonly v6?: string };
  readonly mac: string | undefined;
  /** The previous plugin's result, in the config's version (chained plugins). */
  readonly prevResult: Record<string, unknown> | undefined;
  /** GC: `cni.dev/valid-attachments`. */
  readonly validAttachments: ReadonlyArray<{ readonly containerId: string; readonly ifname: string }>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
/** CNI_ARGS keys that runtimes send and netd-cni knows; IP and MAC are used, the rest ignored. */
const KNOWN_ARGS = new Set(["IP", "MAC", "IgnoreUnknown", "K8S_POD_NAME", "K8S_POD_NAMESPACE", "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID"]);

const bad = (what: string, value: unknown, hint: string) => new CniError(CniCode.INVALID_CONFIG, `${what} ${JSON.stringify(value)} is invalid`, hint);

function optString(cfg: Record<string, unknown>, key: string, hint: string): string | undefined {
  const v = cfg[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw bad(`"${key}"`, v, hint);
  return v;
}

function object(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** CNI_ARGS: `K=V;K=V`. Unknown keys are an error unless IgnoreUnknown is set, as the spec's conventions say. */
export function parseCniArgs(s: string): Map<string, string> {
  const out = new Map<string, string>();
  if (s.trim() === "") return out;
  for (const pair of s.split(";")) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new CniError(CniCode.INVALID_ENV, `CNI_ARGS item ${JSON.stringify(pair)} is not KEY=VALUE`, "pass CNI_ARGS as KEY=VALUE pairs separated by ';'");
    out.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const ignore = ["1", "true"].includes((out.get("IgnoreUnknown") ?? "").toLowerCase());
  for (const k of out.keys()) {
    if (!KNOWN_ARGS.has(k) && !ignore) throw new CniError(CniCode.INVALID_ENV, `CNI_ARGS key ${JSON.stringify(k)} is unknown to netd-cni`, "drop it, or add IgnoreUnknown=1 to CNI_ARGS");
  }
  return out;
}

function portBindings(v: unknown): PortBinding[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad("runtimeConfig.portMappings", v, "pass a list of {hostPort, containerPort, protocol}");
  return v.map((m): PortBinding => {
    const o = object(m);
    const port = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 1 && x <= 65535;
    if (!o || !port(o.hostPort) || !port(o.containerPort)) throw bad("port mapping", m, "hostPort and containerPort must be integers 1-65535");
    const protocol = (o.protocol ?? "tcp") as string;
    if (!["tcp", "udp", "sctp"].includes(String(protocol).toLowerCase())) throw bad("port mapping protocol", o.protocol, "use tcp, udp or sctp");
    const hostIp = o.hostIP === undefined || o.hostIP === "" ? null : typeof o.hostIP === "string" ? canonicalIp(o.hostIP) : null;
    if (o.hostIP !== undefined && o.hostIP !== "" && hostIp === null) throw bad("port mapping hostIP", o.hostIP, "give an IPv4 or IPv6 address, or leave it out for every address");
    return { protocol: String(protocol).toLowerCase() as Protocol, containerPort: o.containerPort as number, hostIp, hostPortStart: o.hostPort as number, hostPortEnd: o.hostPort as number };
  });
}

/** Static addresses from a list of "a.b.c.d[/len]" strings; at most one per family. */
function addresses(list: readonly unknown[], where: string): { v4?: string; v6?: string } {
  const out: { v4?: string; v6?: string } = {};
  for (const item of list) {
    const ip = typeof item === "string" ? canonicalIp(item.replace(/\/\d+$/, "")) : null;
    if (ip === null) throw bad(where, item, "give addresses such as 10.88.0.5 or 10.88.0.5/24");
    const key = ip.includes(":") ? "v6" : "v4";
    if (out[key] !== undefined && out[key] !== ip) throw bad(where, list, "give at most one address per family");
    out[key] = ip;
  }
  return out;
}

/** Validates the config of one call; throws a CniError naming the first bad value. */
export function readNetConf(cfg: Record<string, unknown>, cniArgs: string, verb: CniVerb): NetConf {
  const name = cfg.name;
  if (typeof name !== "string" || !NAME.test(name)) throw bad('"name"', name, "name the network with 1-128 characters [a-zA-Z0-9_.-], starting with a letter or digit");
  const args = parseCniArgs(cniArgs);
  const driver = optString(cfg, "driver", 'name a netd driver, e.g. "bridge"') ?? "bridge";
  const subnet = optString(cfg, "subnet", 'give an IPv4 CIDR, e.g. "10.22.0.0/24"');
  const gateway = optString(cfg, "gateway", 'give an address inside "subnet"');
  const subnet6 = optString(cfg, "subnet6", 'give an IPv6 CIDR or "auto"');
  if (cfg.internal !== undefined && typeof cfg.internal !== "boolean") throw bad('"internal"', cfg.internal, "use true or false");
  const options: Record<string, string> = {};
  if (cfg.options !== undefined) {
    const o = object(cfg.options);
    if (!o || Object.values(o).some((v) => typeof v !== "string")) throw bad('"options"', cfg.options, 'give driver options as {"key": "value"} strings');
    Object.assign(options, o);
  }
  const gwPriority = cfg.gwPriority ?? 0;
  if (typeof gwPriority !== "number" || !Number.isInteger(gwPriority)) throw bad('"gwPriority"', gwPriority, "use an integer; higher wins the default route");

  const rc = object(cfg.runtimeConfig) ?? {};
  const fromRuntime = Array.isArray(rc.ips) ? addresses(rc.ips, "runtimeConfig.ips") : {};
  const fromArgs = args.has("IP") ? addresses(args.get("IP")!.split(","), "CNI_ARGS IP") : {};
  const cniArgsObj = object(object(cfg.args)?.cni);
  const fromConfArgs = Array.isArray(cniArgsObj?.ips) ? addresses(cniArgsObj.ips, "args.cni.ips") : {};
  const ips = { ...fromConfArgs, ...fromArgs, ...fromRuntime };
  const macRaw = rc.mac ?? args.get("MAC") ?? cniArgsObj?.mac;
  if (macRaw !== undefined && (typeof macRaw !== "string" || !MAC.test(macRaw))) throw bad("MAC", macRaw, "give a MAC such as 02:42:0a:00:00:05");

  const prev = cfg.prevResult;
  if (prev !== undefined && !object(prev)) throw bad('"prevResult"', prev, "prevResult must be a CNI result object");
  const valid: Array<{ containerId: string; ifname: string }> = [];
  if (verb === "GC") {
    const list = cfg["cni.dev/valid-attachments"] ?? [];
    if (!Array.isArray(list)) throw bad('"cni.dev/valid-attachments"', list, "give a list of {containerID, ifname}");
    for (const a of list) {
      const o = object(a);
      if (!o || typeof o.containerID !== "string" || typeof o.ifname !== "string") throw bad("valid attachment", a, "each entry needs containerID and ifname strings");
      valid.push({ containerId: o.containerID, ifname: o.ifname });
    }
  }
  return {
    name,
    driver,
    subnet,
    gateway,
    subnet6,
    internal: cfg.internal === true,
    options,
    gwPriority,
    portBindings: portBindings(rc.portMappings),
    ips,
    mac: typeof macRaw === "string" ? macRaw.toLowerCase() : undefined,
    prevResult: object(prev),
    validAttachments: valid,
  };
}
