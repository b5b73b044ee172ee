/**
 * The docker CLI's `-p/--publish` syntax, turned into Docker's `PortBindings` map. Used by the
 * CLI (`netd sandbox create -p`, `netd run -p`); pure, no I/O.
 *
 *   80                      container port 80/tcp on an ephemeral host port, all addresses
 *   8080:80                 host port 8080
 *   127.0.0.1:8080:80/udp   one host address, UDP
 *   [::1]:8080:80           an IPv6 host address in brackets
 *   127.0.0.1::80           one host address, ephemeral port
 *   8000-8010:80-90         ranges of equal length map one to one; one container port with a
 *                           host range takes any free port of the range
 */
import { isIP } from "node:net";
import { invalidArgument } from "@netd/driverapi";
import { parsePortRange } from "./port-range.js";
import type { PortProtocol } from "./port-range.js";

/** One Docker PortBindings entry. */
export interface DockerPortBinding {
  HostIp: string;
  HostPort: string;
}

/** Docker's `PortBindings` map, "80/tcp" → bindings. */
export type PortBindingsMap = Record<string, DockerPortBinding[]>;

/** Parses one `-p` value into (container port key, binding) pairs, container ranges expanded. */
export function parsePublishSpec(spec: string): Array<{ key: string; binding: DockerPortBinding }> {
  let rest = spec.trim();
  let protocol: PortProtocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== "tcp" && p !== "udp" && p !== "sctp") throw invalidArgument(`unknown protocol '${p}' in '${spec}'`, "use tcp, udp or sctp");
    protocol = p;
    rest = rest.slice(0, slash);
  }
  let hostIp = "";
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") throw invalidArgument(`invalid IPv6 host address in '${spec}'`, "write it as [::1]:8080:80");
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
    if (isIP(hostIp) !== 6) throw invalidArgument(`invalid IPv6 host address '${hostIp}' in '${spec}'`, "use an address like [::1]");
  }
  const parts = rest.split(":");
  if (parts.length > 3 || (hostIp !== "" && parts.length !== 2)) throw invalidArgument(`invalid publish spec '${spec}'`, "use [ip:][hostPort:]containerPort[/protocol], e.g. 127.0.0.1:8080:80/tcp");
  let hostPort = "";
  let containerPort: string;
  if (parts.length === 3) {
    hostIp = parts[0]!;
    if (isIP(hostIp) === 0) throw invalidArgument(`invalid host address '${hostIp}' in '${spec}'`, "use an IPv4 address, or [addr] for IPv6");
    hostPort = parts[1]!;
    containerPort = parts[2]!;
  } else if (parts.length === 2) {
    hostPort = parts[0]!;
    containerPort = parts[1]!;
  } else {
    containerPort = parts[0]!;
  }
  const c = parsePortRange(containerPort, "container port", spec);
  const h = hostPort === "" ? null : parsePortRange(hostPort, "host port", spec, true);
  const cLen = c.end - c.start + 1;
  const hLen = h ? h.end - h.start + 1 : 0;
  if (h && cLen > 1 && hLen !== cLen && !(h.start === 0 && h.end === 0)) {
    throw invalidArgument(`host range ${hostPort} and container range ${containerPort} in '${spec}' differ in length`, "give ranges of the same length, or a single container port");
  }
  const out: Array<{ key: string; binding: DockerPortBinding }> = [];
  for (let i = 0; i < cLen; i++) {
    let hp = "";
    if (h && !(h.start === 0 && h.end === 0)) hp = cLen > 1 ? String(h.start + i) : h.start === h.end ? String(h.start) : `${h.start}-${h.end}`;
    out.push({ key: `${c.start + i}/${protocol}`, binding: { HostIp: hostIp, HostPort: hp } });
  }
  return out;
}

/** Parses every `-p` value into one PortBindings map (several specs may share a key). */
export function publishSpecsToMap(specs: readonly string[]): PortBindingsMap {
  const map: PortBindingsMap = {};
  for (const spec of specs) for (const { key, binding } of parsePublishSpec(spec)) (map[key] ??= []).push(binding);
  return map;
}
