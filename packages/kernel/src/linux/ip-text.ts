/**
 * Address text to bytes and back, for the hot path: every address of a join passes through
 * here, and ipaddr.js's general parser (octal, hex and short IPv4 forms, zone ids) was about
 * 5 % of the daemon's JS time per attach. The accepted forms are exactly those validate.ts
 * accepted through ipaddr.js (a differential test in ip-text.test.ts holds them equal):
 * dotted-quad IPv4 without leading zeros, and IPv6 with at most one "::", hex groups of 1–4
 * digits and an optional dotted-quad tail, without a zone id.
 */

const V4 = /^(?:0|[1-9]\d{0,2})\.(?:0|[1-9]\d{0,2})\.(?:0|[1-9]\d{0,2})\.(?:0|[1-9]\d{0,2})$/;
const GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Four bytes of a dotted-quad IPv4 address ("10.0.0.1"), or null. */
export function parseIPv4(text: string): Buffer | null {
  if (text.length > 15 || !V4.test(text)) return null;
  const out = Buffer.allocUnsafe(4);
  let k = 0;
  for (const part of text.split(".")) {
    const n = Number(part);
    if (n > 255) return null;
    out[k++] = n;
  }
  return out;
}

/** Appends the 16-bit groups of one side of "::" to `groups`; false when a group is malformed. */
function pushGroups(side: string, groups: number[], ipv4TailAllowed: boolean): boolean {
  if (side === "") return true;
  const parts = side.split(":");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (GROUP.test(p)) {
      groups.push(parseInt(p, 16));
      continue;
    }
    if (!ipv4TailAllowed || i !== parts.length - 1) return false;
    const v4 = parseIPv4(p);
    if (v4 === null) return false;
    groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  }
  return true;
}

/** Sixteen bytes of an IPv6 address ("fd00::1", "::ffff:10.0.0.1"), or null. */
export function parseIPv6(text: string): Buffer | null {
  if (text.length < 2 || text.length > 45 || !text.includes(":")) return null;
  const gap = text.indexOf("::");
  if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) return null;
  const head: number[] = [];
  const tail: number[] = [];
  if (gap < 0) {
    if (!pushGroups(text, head, true) || head.length !== 8) return null;
  } else {
    if (!pushGroups(text.slice(0, gap), head, false) || !pushGroups(text.slice(gap + 2), tail, true)) return null;
    if (head.length + tail.length > 7) return null;
  }
  const out = Buffer.alloc(16);
  head.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  tail.forEach((g, i) => out.writeUInt16BE(g, 16 - 2 * (tail.length - i)));
  return out;
}

/** RFC 5952 text of 16 address bytes: lowercase, the longest run of two or more zero groups as "::". */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** Family, bytes and canonical text of an address without prefix, or null when it is neither form. */
export function parseIp(text: string): { readonly family: 4 | 6; readonly bytes: Buffer; readonly text: string } | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, bytes: v4, text };
  const v6 = parseIPv6(text);
  return v6 === null ? null : { family: 6, bytes: v6, text: formatIPv6(v6) };
}
