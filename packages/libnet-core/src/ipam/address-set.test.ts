import { describe, expect, it } from "vitest";
import { AddressSet } from "./address-set.js";

describe("AddressSet", () => {
  it("hands out addresses serially and skips taken ones", () => {
    const set = new AddressSet(1n, 6n);
    set.take(1n, { kind: "gateway" });
    set.take(3n, { kind: "aux", name: "h" });
    expect([set.next(), set.next(), set.next()]).toEqual([2n, 4n, 5n]);
    expect(set.endpoints).toBe(3n);
    expect(set.dynamicFree).toBe(1n);
  });

  it("does not reuse a released address until it wraps around", () => {
    const set = new AddressSet(1n, 4n);
    expect([set.next(), set.next()]).toEqual([1n, 2n]);
    expect(set.release(1n)).toBe(true);
    expect(set.next()).toBe(3n);
    expect(set.next()).toBe(4n);
    expect(set.next()).toBe(1n);
    expect(set.next()).toBeNull();
  });

  it("returns null when full, without scanning the range", () => {
    const huge = new AddressSet(1n, (1n << 64n) - 1n);
    expect(huge.next()).toBe(1n);
    expect(huge.dynamicFree).toBe((1n << 64n) - 2n);
    const empty = new AddressSet(5n, 4n);
    expect(empty.dynamicFree).toBe(0n);
    expect(empty.next()).toBeNull();
  });

  it("releases only endpoint addresses", () => {
    const set = new AddressSet(1n, 4n);
    set.take(1n, { kind: "gateway" });
    set.take(2n, { kind: "aux", name: "x" });
    expect(set.release(1n)).toBe(false);
    expect(set.release(2n)).toBe(false);
    expect(set.release(3n)).toBe(false);
    expect(set.occupant(1n)).toEqual({ kind: "gateway" });
    expect(set.occupant(2n)).toEqual({ kind: "aux", name: "x" });
    expect(set.dynamicFree).toBe(2n);
  });

  it("counts addresses outside the dynamic range apart", () => {
    const set = new AddressSet(10n, 11n);
    set.take(3n, { kind: "endpoint" });
    expect(set.dynamicFree).toBe(2n);
    expect(set.endpoints).toBe(1n);
    expect(set.release(3n)).toBe(true);
    expect(set.endpoints).toBe(0n);
  });

  it("continues after a given address", () => {
    const set = new AddressSet(1n, 5n);
    set.take(4n, { kind: "endpoint" });
    set.continueAfter(4n);
    expect(set.next()).toBe(5n);
    expect(set.next()).toBe(1n);
    set.continueAfter(5n);
    expect(set.next()).toBe(2n);
    set.continueAfter(99n); // outside the range: ignored
    expect(set.next()).toBe(3n);
  });

  it("rewinds the cursor only for the address handed out last", () => {
    const set = new AddressSet(1n, 9n);
    expect([set.next(), set.next()]).toEqual([1n, 2n]);
    expect(set.release(2n, true)).toBe(true);
    expect(set.next()).toBe(2n);
    // Not the last one issued: no rewind.
    expect(set.release(1n, true)).toBe(true);
    expect(set.next()).toBe(3n);
    // A release in between (without rewind) forgets the last issued address.
    expect(set.next()).toBe(4n);
    set.release(3n);
    expect(set.release(4n, true)).toBe(true);
    expect(set.next()).toBe(5n);
    // Static takes do not count as issued.
    set.take(7n, { kind: "endpoint" });
    expect(set.release(7n, true)).toBe(true);
    expect(set.next()).toBe(6n);
  });
});
