/** Port numbers and ranges in Docker's text forms ("80", "8000-8010", "80/udp"). */
import { invalidArgument } from "@netd/driverapi";

export type PortProtocol = "tcp" | "udp" | "sctp";
const PROTOCOLS: readonly string[] = ["tcp", "udp", "sctp"];

/** An inclusive range; `start === end` for one port. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Parses "80" or "80-90" (what = which part of `spec`, for messages). `allowZero` admits "0"
 * (an ephemeral host port). Out-of-range or inverted ranges throw naming the value.
 */
export function parsePortRange(text: string, what: string, spec: string, allowZero = false): PortRange {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) throw invalidArgument(`invalid ${what} '${text}' in '${spec}'`, "use a port like 80 or a range like 8000-8010");
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  for (const p of [start, end]) {
    if (p > 65535 || (p < 1 && !(allowZero && start === 0 && end === 0))) {
      throw invalidArgument(`${what} ${p} in '${spec}' is out of range`, `use ports between 1 and 65535`);
    }
  }
  if (end < start) throw invalidArgument(`${what} range '${text}' in '${spec}' is inverted`, `give the lower port first, e.g. ${end}-${start}`);
  return { start, end };
}

/** Parses a Docker port key: "80", "80/udp", "80-90/tcp". */
export function parsePortKey(key: string): { range: PortRange; protocol: PortProtocol } {
  const slash = key.indexOf("/");
  const port = slash < 0 ? key : key.slice(0, slash);
  const protocol = slash < 0 ? "tcp" : key.slice(slash + 1).toLowerCase();
  if (!PROTOCOLS.includes(protocol)) throw invalidArgument(`unknown protocol '${protocol}' in port '${key}'`, "use tcp, udp or sctp");
  return { range: parsePortRange(port, "container port", key), protocol: protocol as PortProtocol };
}
