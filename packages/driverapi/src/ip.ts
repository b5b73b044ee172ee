/**
 * IP address parsing and canonical text, shared by every package that compares or keys
 * addresses: "::FFFF:127.0.0.1", "0:0::ffff:7f00:1" and "127.0.0.1" all become "127.0.0.1".
 * Strict: leading zeros in IPv4 octets, zone indexes and anything but plain addresses are
 * refused.
 */

/** A validated address in canonical form. */
export interface IpAddress {
  /** Canonical text: dotted quad for IPv4 (IPv4-mapped IPv6 is unmapped), RFC 5952 for IPv6. */
  readonly text: string;
  readonly family: 4 | 6;
  /** True for 0.0.0.0 and "::", which stand for every address of their family. */
  readonly unspecified: boolean;
}

/** Why `input` is not an address, or null when it is one. */
export type ParseResult = { readonly ok: true; readonly address: IpAddress } | { readonly ok: false; readonly reason: string };

/**
 * Parses one host address. Called for every address before any state changes.
 * Zone indexes ("fe80::1%eth0") are refused: bindings are keyed by address only.
 */
export function parseIpAddress(input: string): ParseResult {
  if (typeof input !== "string" || input === "") return { ok: false, reason: "empty" };
  if (input.includes("%")) return { ok: false, reason: "zone indexes are not supported" };
  if (!input.includes(":")) {
    const v4 = parseIPv4(input);
    if (!v4) return { ok: false, reason: "not an IPv4 or IPv6 address" };
    return { ok: true, address: v4Address(v4) };
  }
  const groups = parseIPv6(input);
  if (!groups) return { ok: false, reason: "not an IPv4 or IPv6 address" };
  // ::ffff:a.b.c.d is an IPv4 address seen through an IPv6 socket (§4.6: unmapped).
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return { ok: true, address: v4Address([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]) };
  }
  return { ok: true, address: { text: formatIpv6(groups), family: 6, unspecified: groups.every((g) => g === 0) } };
}

function v4Address(octets: readonly number[]): IpAddress {
  return { text: octets.join("."), family: 4, unspecified: octets.every((o) => o === 0) };
}

/**
 * The four octets of a dotted-quad IPv4 address ("10.0.0.1"), or null. Leading zeros are
 * refused. For callers that need the bytes; most want {@link parseIpAddress}.
 */
export function ipv4Octets(text: string): number[] | null {
  return parseIPv4(text);
}

/**
 * The eight 16-bit groups of an IPv6 address ("fd00::1", "::ffff:10.0.0.1": a dotted-quad tail
 * is allowed, a zone index is not), or null. IPv4-mapped addresses stay IPv6 here, unlike in
 * {@link parseIpAddress}; "::a.b.c.d" is ::a.b.c.d, as inet_pton reads it.
 */
export function ipv6Groups(text: string): number[] | null {
  return text.includes("%") ? null : parseIPv6(text);
}

function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    // Leading zeros are refused: "010" is octal to inet_aton and decimal to others.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    octets.push(value);
  }
  return octets;
}

function parseGroups(text: string, allowTrailingV4: boolean): number[] | null {
  if (text === "") return [];
  const items = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? "";
    if (allowTrailingV4 && i === items.length - 1 && item.includes(".")) {
      const v4 = parseIPv4(item);
      if (!v4) return null;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
      groups.push(parseInt(item, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIPv6(text: string): number[] | null {
  const gap = text.indexOf("::");
  if (gap < 0) {
    const groups = parseGroups(text, true);
    return groups && groups.length === 8 ? groups : null;
  }
  if (text.indexOf("::", gap + 1) >= 0) return null;
  const head = parseGroups(text.slice(0, gap), false);
  const tail = parseGroups(text.slice(gap + 2), true);
  if (!head || !tail || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952 text of eight 16-bit groups: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** The canonical text of `input`, or null when it is not a plain IPv4 or IPv6 address. */
export function canonicalIp(input: string): string | null {
  const parsed = parseIpAddress(input);
  return parsed.ok ? parsed.address.text : null;
}
