/** Host-address normalisation for bindings (reference §4.6): unmapping and canonical text. */
import { isIP } from "node:net";

/**
 * Canonical text of an IP address: IPv4 dotted quad; IPv6 in RFC 5952 form; an IPv4-mapped
 * IPv6 address (`::ffff:127.0.0.1`) becomes the IPv4 address. Returns null for anything
 * that is not an address (callers turn that into an error naming the value).
 */
export function canonicalIp(text: string): string | null {
  const kind = isIP(text);
  if (kind === 4) return text.split(".").map((p) => String(Number(p))).join(".");
  if (kind !== 6) return null;
  const groups = ipv6Groups(text);
  if (groups === null) return null;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return formatIpv6(groups);
}

/** 4 or 6 for a canonical address. */
export function familyOf(ip: string): 4 | 6 {
  return ip.includes(":") ? 6 : 4;
}

/** Strips a "/prefix" suffix (EndpointInfo addresses carry one). */
export function withoutPrefix(cidr: string): string {
  const slash = cidr.indexOf("/");
  return slash < 0 ? cidr : cidr.slice(0, slash);
}

function ipv6Groups(text: string): number[] | null {
  let body = text;
  const lastColon = body.lastIndexOf(":");
  const last = body.slice(lastColon + 1);
  if (last.includes(".")) {
    const q = last.split(".").map(Number);
    const hi = (((q[0] ?? 0) << 8) | (q[1] ?? 0)).toString(16);
    const lo = (((q[2] ?? 0) << 8) | (q[3] ?? 0)).toString(16);
    body = `${body.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = body.split("::");
  const parse = (s: string): number[] => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = parse(halves[0] ?? "");
  const right = halves.length > 1 ? parse(halves[1] ?? "") : [];
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}

function formatIpv6(groups: readonly number[]): string {
  // RFC 5952: compress the longest run of at least two zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}
