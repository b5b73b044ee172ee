/** CIDR prefixes as numbers, for overlap tests against the host's routes and reserved ranges. */
import { parseIpAddress } from "@netd/driverapi";

/** A prefix with its host bits cleared. */
export interface Prefix {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly length: number;
  readonly text: string;
}

const bits = (f: 4 | 6) => (f === 4 ? 32 : 128);

function toBig(text: string, family: 4 | 6): bigint {
  if (family === 4) return text.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses "a.b.c.d/n", "x::/n" or a bare address (a host prefix); null when it is neither. */
export function parsePrefix(cidr: string): Prefix | null {
  const [addr, len, extra] = cidr.split("/");
  if (extra !== undefined || addr === undefined) return null;
  const parsed = parseIpAddress(addr);
  if (!parsed.ok) return null;
  const family = parsed.address.family;
  const length = len === undefined ? bits(family) : Number(len);
  if (!/^\d+$/.test(len ?? "0") || length > bits(family)) return null;
  const shift = BigInt(bits(family) - length);
  const base = (toBig(parsed.address.text, family) >> shift) << shift;
  return { family, base, length, text: cidr };
}

/** True when the two prefixes share an address. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const shift = BigInt(bits(a.family) - Math.min(a.length, b.length));
  return a.base >> shift === b.base >> shift;
}

/** True when `inner` lies inside `outer`. */
export function contains(outer: Prefix, inner: Prefix): boolean {
  return outer.length <= inner.length && overlaps(outer, inner);
}
