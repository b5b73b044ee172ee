/**
 * Address and prefix arithmetic for IPAM. Addresses of both families are bigints, so one
 * set of helpers serves IPv4 and IPv6 and a /64 never has to be enumerated.
 *
 * Be aware:
 * - Parsing is strict on purpose: IPv4 must be four decimal parts without leading zeros
 *   ("10.0.0.05", "10.1", "0x0a.0.0.1" are rejected, because libc would read some of them
 *   as octal or hex), and IPv6 zone ids ("fe80::1%eth0") are rejected.
 * - Output is canonical: dotted decimal, RFC 5952 for IPv6.
 */
import { formatIpv6 } from "@netd/driverapi";
import ipaddr from "ipaddr.js";

/** An address family: 4 or 6. */
export type Family = 4 | 6;

/** A parsed address. */
export interface Ip {
  readonly family: Family;
  readonly value: bigint;
}

/** A prefix: `base` may have host bits set only in the result of {@link parseCidr}. */
export interface Prefix {
  readonly family: Family;
  readonly base: bigint;
  readonly length: number;
}

const V4_PART = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const V4_RE = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$`);
const PREFIX_LEN_RE = /^(?:0|[1-9]\d{0,2})$/;

/** Address width in bits: 32 or 128. */
export function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** Parses one address without prefix, strictly; null when malformed. */
export function parseIp(text: string): Ip | null {
  if (V4_RE.test(text)) {
    let value = 0n;
    for (const part of text.split(".")) value = (value << 8n) | BigInt(part);
    return { family: 4, value };
  }
  if (!text.includes(":") || text.includes("%") || /\s/.test(text)) return null;
  const dotted = /:([^:]*\.[^:]*)$/.exec(text);
  if (dotted?.[1] !== undefined && !V4_RE.test(dotted[1])) return null;
  if (!ipaddr.IPv6.isValid(text)) return null;
  let value = 0n;
  for (const byte of ipaddr.IPv6.parse(text).toByteArray()) value = (value << 8n) | BigInt(byte);
  return { family: 6, value };
}

/** Parses "address/length" strictly, keeping host bits; null when malformed. */
export function parseCidr(text: string): Prefix | null {
  const slash = text.indexOf("/");
  if (slash < 0) return null;
  const ip = parseIp(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!ip || !PREFIX_LEN_RE.test(lengthText)) return null;
  const length = Number(lengthText);
  if (length > bitsOf(ip.family)) return null;
  return { family: ip.family, base: ip.value, length };
}

/** Formats an address canonically (dotted decimal, RFC 5952). */
export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return formatIpv6(groups);
}

/** Formats a prefix as "base/length". */
export function formatPrefix(prefix: Prefix): string {
  return `${formatIp(prefix.family, prefix.base)}/${prefix.length}`;
}

/** Number of addresses in a prefix. */
export function prefixSize(prefix: Prefix): bigint {
  return 1n << BigInt(bitsOf(prefix.family) - prefix.length);
}

/** The prefix with its host bits cleared. */
export function canonical(prefix: Prefix): Prefix {
  const hostBits = BigInt(bitsOf(prefix.family) - prefix.length);
  return { family: prefix.family, base: (prefix.base >> hostBits) << hostBits, length: prefix.length };
}

/** True when the prefix has no host bits set. */
export function isCanonical(prefix: Prefix): boolean {
  return canonical(prefix).base === prefix.base;
}

/** Last address of a (canonical) prefix. */
export function lastAddress(prefix: Prefix): bigint {
  return prefix.base + prefixSize(prefix) - 1n;
}

/** True when `value` lies inside the (canonical) prefix. */
export function containsIp(prefix: Prefix, value: bigint): boolean {
  return value >= prefix.base && value <= lastAddress(prefix);
}

/** True when `inner` lies entirely inside `outer` (both canonical, same family). */
export function containsPrefix(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && inner.length >= outer.length && containsIp(outer, inner.base);
}

/** True when two canonical prefixes share any address (never across families). */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/**
 * The addresses of a subnet that may ever be assigned, as [first, last]:
 * - IPv4 up to /30: without the network and broadcast addresses;
 * - IPv6 up to /126: without the subnet-router anycast address (offset 0, RFC 4291 §2.6.1);
 * - IPv4 /31 and /32, IPv6 /127 and /128: every address (point-to-point, RFC 3021 and RFC 6164).
 */
export function usableBounds(subnet: Prefix): { first: bigint; last: bigint } {
  const last = lastAddress(subnet);
  if (subnet.length >= bitsOf(subnet.family) - 1) return { first: subnet.base, last };
  return { first: subnet.base + 1n, last: subnet.family === 4 ? last - 1n : last };
}

/**
 * Why an address inside `subnet` can never be assigned, or null when it can:
 * "network address", "broadcast address" or "subnet-router anycast address".
 */
export function reservedRole(subnet: Prefix, value: bigint): string | null {
  const { first, last } = usableBounds(subnet);
  if (value >= first && value <= last) return null;
  if (subnet.family === 6) return "subnet-router anycast address";
  return value === subnet.base ? "network address" : "broadcast address";
}

/** Human name of a family, for messages: "IPv4" or "IPv6". */
export function familyName(family: Family): string {
  return family === 4 ? "IPv4" : "IPv6";
}
