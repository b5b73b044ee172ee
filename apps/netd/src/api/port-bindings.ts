/**
 * Docker's port maps to and from netd's types: `PortBindings`/`ExposedPorts` of a sandbox
 * create request into core's requested bindings (container ranges expanded), and drivers'
 * operational bindings into the `Ports` map inspect shows.
 */
import { isIP } from "node:net";
import type { ExposedPort, OperationalBinding, PortBinding } from "@netd/driverapi";
import { invalidArgument } from "@netd/driverapi";
import { parsePortKey, parsePortRange } from "../ports/port-range.js";

type BindingsMap = Record<string, Array<{ HostIp?: string | null | undefined; HostPort?: string | null | undefined }> | null>;

/** Converts Docker's maps; every port listed in either map is exposed. */
export function fromDockerPorts(bindings: BindingsMap | null | undefined, exposed: Record<string, object> | null | undefined): { portBindings: PortBinding[]; exposedPorts: ExposedPort[] } {
  const portBindings: PortBinding[] = [];
  const exposedKeys = new Map<string, ExposedPort>();
  const expose = (protocol: ExposedPort["protocol"], port: number) => exposedKeys.set(`${port}/${protocol}`, { protocol, port });
  for (const key of Object.keys(exposed ?? {})) {
    const { range, protocol } = parsePortKey(key);
    for (let p = range.start; p <= range.end; p++) expose(protocol, p);
  }
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { range, protocol } = parsePortKey(key);
    const count = range.end - range.start + 1;
    for (let p = range.start; p <= range.end; p++) expose(protocol, p);
    for (const b of list ?? []) {
      const hostIp = b.HostIp ?? "";
      if (hostIp !== "" && isIP(hostIp) === 0) throw invalidArgument(`invalid HostIp '${hostIp}' for port ${key}`, "use an IPv4 or IPv6 address, or \"\" for all addresses");
      const host = b.HostPort ? parsePortRange(b.HostPort, "host port", `${key} → ${b.HostPort}`, true) : { start: 0, end: 0 };
      const hostLen = host.end - host.start + 1;
      if (count > 1 && host.start !== 0 && hostLen !== count) {
        throw invalidArgument(`host ports ${b.HostPort} and container ports ${key} differ in length`, "give ranges of the same length, or a single container port");
      }
      for (let i = 0; i < count; i++) {
        const one = count > 1 && host.start !== 0 ? { start: host.start + i, end: host.start + i } : host;
        portBindings.push({ protocol, containerPort: range.start + i, hostIp: hostIp === "" ? null : hostIp, hostPortStart: one.start, hostPortEnd: one.end });
      }
    }
  }
  return { portBindings, exposedPorts: [...exposedKeys.values()] };
}

/** Docker's `Ports` map: every exposed port, with its bindings in effect or null. */
export function toDockerPorts(exposed: readonly ExposedPort[], requested: readonly PortBinding[], operational: readonly OperationalBinding[]): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const p of exposed) out[`${p.port}/${p.protocol}`] = null;
  for (const b of requested) out[`${b.containerPort}/${b.protocol}`] ??= null;
  const seen = new Set<string>();
  for (const b of operational) {
    const key = `${b.containerPort}/${b.protocol}`;
    // A routed binding has no host port: the reference shows its unspecified host address
    // ("0.0.0.0" or "::") with HostPort "" (TestDisableNAT's "[::]:\"\"").
    const entry = { HostIp: b.hostIp, HostPort: b.hostPort === 0 ? "" : String(b.hostPort) };
    const dedupe = `${key} ${entry.HostIp} ${entry.HostPort}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    (out[key] ??= []).push(entry);
  }
  return out;
}
