import type { PortBitmap } from "./port-bitmap.js";

/** Index of the lowest set bit of a non-zero 32-bit value. */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * The first port in [from, to] that is clear in every bitmap of `maps` (their union is
 * the set of ports that conflict), or -1. Works a word at a time: the union of 32 ports is
 * one OR per bitmap, and a summary bit set in any bitmap skips 1,024 ports at once.
 */
export function findFreeInSpan(maps: readonly PortBitmap[], from: number, to: number): number {
  const n = maps.length;
  const firstWord = from >>> 5;
  const lastWord = to >>> 5;
  let w = firstWord;
  while (w <= lastWord) {
    const s = w >>> 5;
    let fullWords = 0;
    for (let i = 0; i < n; i++) fullWords |= maps[i]!.full[s]!;
    // Summary bits at or above w's position in its 1,024-port block that are not full.
    const open = ~fullWords & (-1 << (w & 31));
    if (open === 0) {
      w = (s + 1) << 5;
      continue;
    }
    w = (s << 5) + lowestBit(open);
    if (w > lastWord) return -1;
    let used = 0;
    for (let i = 0; i < n; i++) used |= maps[i]!.words[w]!;
    let free = ~used;
    if (w === firstWord) free &= -1 << (from & 31);
    if (w === lastWord && (to & 31) !== 31) free &= (1 << ((to & 31) + 1)) - 1;
    if (free !== 0) return (w << 5) + lowestBit(free);
    w++;
  }
  return -1;
}

/**
 * Circular scan of [lo, hi] starting at `start` and wrapping once, like the reference's
 * `last + 1` walk (§7.1), or -1 when every port conflicts.
 */
export function findFreeCircular(maps: readonly PortBitmap[], lo: number, hi: number, start: number): number {
  const from = start < lo || start > hi ? lo : start;
  const port = findFreeInSpan(maps, from, hi);
  if (port >= 0 || from === lo) return port;
  return findFreeInSpan(maps, lo, from - 1);
}

/** True when `port` is clear in every bitmap of `maps`. */
export function isFree(maps: readonly PortBitmap[], port: number): boolean {
  for (const map of maps) if (map.has(port)) return false;
  return true;
}
