import { describe, expect, it } from "vitest";
import { findFreeCircular, findFreeInSpan } from "./find-free.js";
import { PortBitmap, PortUnion } from "./port-bitmap.js";

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bruteSpan(sets: readonly Set<number>[], from: number, to: number): number {
  for (let p = from; p <= to; p++) if (sets.every((s) => !s.has(p))) return p;
  return -1;
}

describe("PortBitmap", () => {
  it("tracks membership, size and full words", () => {
    const map = new PortBitmap();
    for (let p = 64; p < 96; p++) expect(map.add(p)).toBe(true);
    expect(map.add(70)).toBe(false);
    expect(map.size).toBe(32);
    expect(map.full[0]).toBe(1 << 2);
    expect(map.delete(70)).toBe(true);
    expect(map.delete(70)).toBe(false);
    expect(map.full[0]).toBe(0);
    expect(map.has(71)).toBe(true);
    expect(map.has(70)).toBe(false);
    map.add(65535);
    expect(map.has(65535)).toBe(true);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.has(71)).toBe(false);
  });

  it("PortUnion keeps a port set while any holder remains", () => {
    const union = new PortUnion();
    union.add(80);
    union.add(80);
    union.delete(80);
    expect(union.bitmap.has(80)).toBe(true);
    union.delete(80);
    expect(union.bitmap.has(80)).toBe(false);
    union.delete(80);
    expect(union.bitmap.has(80)).toBe(false);
  });
});

describe("findFreeInSpan", () => {
  it("skips full words and full 1,024-port blocks", () => {
    const map = new PortBitmap();
    for (let p = 0; p < 40000; p++) map.add(p);
    expect(findFreeInSpan([map], 0, 65535)).toBe(40000);
    expect(findFreeInSpan([map], 1024, 39999)).toBe(-1);
    map.delete(1023);
    expect(findFreeInSpan([map], 5, 65535)).toBe(1023);
    expect(findFreeInSpan([map], 1024, 65535)).toBe(40000);
  });

  it("honours both bounds inside one word", () => {
    const map = new PortBitmap();
    expect(findFreeInSpan([map], 33, 33)).toBe(33);
    map.add(33);
    expect(findFreeInSpan([map], 33, 33)).toBe(-1);
    expect(findFreeInSpan([map], 31, 31)).toBe(31);
    expect(findFreeInSpan([map], 65535, 65535)).toBe(65535);
    map.add(34);
    expect(findFreeInSpan([map], 33, 35)).toBe(35);
  });

  it("ORs several bitmaps: a port is free only when clear in all of them", () => {
    const a = new PortBitmap();
    const b = new PortBitmap();
    for (let p = 1000; p < 3000; p += 2) a.add(p);
    for (let p = 1001; p < 3000; p += 2) b.add(p);
    expect(findFreeInSpan([a], 1000, 4000)).toBe(1001);
    expect(findFreeInSpan([a, b], 1000, 4000)).toBe(3000);
  });

  it("agrees with a brute-force scan on random bitmaps and spans", () => {
    const random = rng(42);
    for (let round = 0; round < 200; round++) {
      const count = 1 + Math.floor(random() * 3);
      const density = [0.5, 0.9, 0.99, 0.999][round % 4]!;
      const maps: PortBitmap[] = [];
      const sets: Set<number>[] = [];
      const base = Math.floor(random() * 60000);
      for (let i = 0; i < count; i++) {
        const map = new PortBitmap();
        const set = new Set<number>();
        for (let p = base; p < Math.min(65536, base + 5000); p++) {
          if (random() < density) {
            map.add(p);
            set.add(p);
          }
        }
        maps.push(map);
        sets.push(set);
      }
      const from = base + Math.floor(random() * 2000);
      const to = Math.min(65535, from + Math.floor(random() * 3000));
      expect(findFreeInSpan(maps, from, to)).toBe(bruteSpan(sets, from, to));
    }
  });
});

describe("findFreeCircular", () => {
  it("scans from start to the end, then wraps to the beginning once", () => {
    const map = new PortBitmap();
    for (let p = 100; p <= 200; p++) if (p !== 120) map.add(p);
    expect(findFreeCircular([map], 100, 200, 150)).toBe(120);
    expect(findFreeCircular([map], 100, 200, 110)).toBe(120);
    map.add(120);
    expect(findFreeCircular([map], 100, 200, 150)).toBe(-1);
    // A start outside the range begins at its low end.
    map.delete(100);
    expect(findFreeCircular([map], 100, 200, 201)).toBe(100);
  });
});
