/**
 * Address text to bytes and canonical text, for the hot path: every address of a join passes
 * through here, and ipaddr.js's general parser (octal, hex and short IPv4 forms, zone ids) was
 * about 5 % of the daemon's JS time per attach. Parsing is @netd/driverapi's strict one
 * (dotted quads without leading zeros; IPv6 with at most one "::", hex groups of 1–4 digits,
 * an optional dotted-quad tail, no zone id), keeping IPv4-mapped addresses IPv6: the kernel
 * gets the address as written. A differential test (ip-text.test.ts) holds it to what
 * validate.ts accepted through ipaddr.js, with two documented fixes.
 */
import { formatIpv6, ipv4Octets, ipv6Groups } from "@netd/driverapi";

/** Four bytes of a dotted-quad IPv4 address ("10.0.0.1"), or null. */
export function parseIPv4(text: string): Buffer | null {
  const octets = text.length <= 15 ? ipv4Octets(text) : null;
  return octets === null ? null : Buffer.from(octets);
}

function groupsOf(text: string): number[] | null {
  return text.length <= 45 && text.includes(":") ? ipv6Groups(text) : null;
}

function bytesOf(groups: readonly number[]): Buffer {
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  return out;
}

/** Sixteen bytes of an IPv6 address ("fd00::1", "::ffff:10.0.0.1"), or null. */
export function parseIPv6(text: string): Buffer | null {
  const groups = groupsOf(text);
  return groups === null ? null : bytesOf(groups);
}

/** Family, bytes and canonical text (RFC 5952 for IPv6) of an address without prefix, or null. */
export function parseIp(text: string): { readonly family: 4 | 6; readonly bytes: Buffer; readonly text: string } | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, bytes: v4, text };
  const groups = groupsOf(text);
  return groups === null ? null : { family: 6, bytes: bytesOf(groups), text: formatIpv6(groups) };
}
