/**
 * netd-proxy's control protocol, TypeScript side: validating a binding before it becomes a
 * request, rendering requests and parsing replies. The proxy validates every request again
 * (packages/netlink-native/proxy/control.c); both sides refuse what the other would.
 */
import type { UserlandProxySpec } from "@netd/driverapi";
import { kernelError } from "../linux/errors.js";
import { parseIp } from "../linux/ip-text.js";

/** A binding as netd-proxy lists it. */
export interface ProxyBindingInfo {
  readonly id: string;
  readonly protocol: "tcp" | "udp";
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
}

/** Counters of one binding (cumulative since it was handed to the running proxy process). */
export interface ProxyBindingStats extends ProxyBindingInfo {
  /** TCP connections accepted. */
  readonly connections: number;
  /** TCP connections open now. */
  readonly activeConnections: number;
  /** TCP connections the container refused (the client got RST). */
  readonly refused: number;
  /** Bytes client → container and container → client. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** UDP datagrams client → container and back. */
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** UDP flows open now. */
  readonly flows: number;
}

function canonicalIp(value: string): string | null {
  return parseIp(value)?.text ?? null;
}

function validPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}

/** Checks `spec` and returns it with canonical addresses; throws PROXY_INVALID_SPEC. */
export function validateSpec(spec: UserlandProxySpec): UserlandProxySpec {
  const hostIp = canonicalIp(spec.hostIp);
  const containerIp = canonicalIp(spec.containerIp);
  const bad = (what: string, value: unknown): never => {
    throw kernelError("PROXY_INVALID_SPEC", `userland proxy binding has an invalid ${what}: ${JSON.stringify(value)}`, `pass a ${what === "protocol" ? "protocol of tcp or udp" : what.endsWith("port") ? "port in 1-65535" : "literal IPv4 or IPv6 address"}`, { ...spec });
  };
  if (spec.protocol !== "tcp" && spec.protocol !== "udp") bad("protocol", spec.protocol);
  if (hostIp === null) bad("host address", spec.hostIp);
  if (containerIp === null) bad("container address", spec.containerIp);
  if (!validPort(spec.hostPort)) bad("host port", spec.hostPort);
  if (!validPort(spec.containerPort)) bad("container port", spec.containerPort);
  return { protocol: spec.protocol, hostIp: hostIp as string, hostPort: spec.hostPort, containerIp: containerIp as string, containerPort: spec.containerPort };
}

/** The proxy-side id of a (validated) binding: one per protocol, host address and port. */
export function bindingId(spec: UserlandProxySpec): string {
  return `${spec.protocol}/${spec.hostIp}/${spec.hostPort}`;
}

/** The `add` request; the listening socket travels with it. */
export function addRequest(spec: UserlandProxySpec): string {
  return `add ${bindingId(spec)} ${spec.protocol} ${spec.containerIp} ${spec.containerPort}`;
}

/** Throws PROXY_REFUSED for an `err` reply; returns the text after "ok". */
export function expectOk(request: string, reply: string): string {
  if (reply === "ok" || reply.startsWith("ok ") || reply.startsWith("ok\n")) return reply.slice(3);
  const [, code = "EIO", ...rest] = reply.split(" ");
  throw kernelError("PROXY_REFUSED", `netd-proxy refused '${request.split(" ").slice(0, 2).join(" ")}': ${rest.join(" ") || reply} (${code})`, "see the proxy's log (proxy.log in the daemon's data directory)", { request, reply, proxyCode: code });
}

function parseLine(line: string): { info: ProxyBindingInfo; rest: string[] } | null {
  const [id, protocol, hostIp, hostPort, containerIp, containerPort, ...rest] = line.split(" ");
  if (id === undefined || (protocol !== "tcp" && protocol !== "udp") || hostIp === undefined || containerIp === undefined) return null;
  return { info: { id, protocol, hostIp, hostPort: Number(hostPort), containerIp, containerPort: Number(containerPort) }, rest };
}

/** Parses the body of a `list` reply (lines after "ok"). Malformed lines are skipped. */
export function parseList(body: string): ProxyBindingInfo[] {
  return body.split("\n").flatMap((l) => {
    const p = l ? parseLine(l) : null;
    return p ? [p.info] : [];
  });
}

/** Parses the body of a `stats` reply. */
export function parseStats(body: string): ProxyBindingStats[] {
  return body.split("\n").flatMap((l) => {
    const p = l ? parseLine(l) : null;
    if (!p) return [];
    const kv = new Map(p.rest.map((f) => f.split("=") as [string, string]));
    const n = (k: string): number => Number(kv.get(k) ?? 0);
    return [{ ...p.info, connections: n("conns"), activeConnections: n("active"), refused: n("refused"), bytesIn: n("bytes_in"), bytesOut: n("bytes_out"), packetsIn: n("packets_in"), packetsOut: n("packets_out"), flows: n("flows") }];
  });
}
