import { describe, expect, it } from "vitest";
import { makePrefix, netnsName, netnsNameOf, PREFIX_PATTERN } from "./names.js";

describe("makePrefix", () => {
  it("is nt + 6 hex chars and differs between calls", () => {
    const prefixes = new Set(Array.from({ length: 50 }, () => makePrefix()));
    for (const p of prefixes) expect(p).toMatch(PREFIX_PATTERN);
    expect(prefixes.size).toBeGreaterThan(45);
  });
});

describe("netnsName", () => {
  it("joins prefix and short name", () => {
    expect(netnsName("nt3f9a2c", "host")).toBe("nt3f9a2c-host");
  });
  it("refuses unsafe or empty short names and bad prefixes", () => {
    for (const bad of ["", "a/b", "a b", "-x", "x".repeat(17), "ä"]) {
      expect(() => netnsName("nt3f9a2c", bad)).toThrow(/invalid/);
    }
    expect(() => netnsName("netd01", "host")).toThrow(/not a test prefix/);
  });
});

describe("netnsNameOf", () => {
  it("accepts names and /run/netns paths only", () => {
    expect(netnsNameOf("abc")).toBe("abc");
    expect(netnsNameOf("/run/netns/abc")).toBe("abc");
    expect(() => netnsNameOf("/proc/1/ns/net")).toThrow(/not a namespace name/);
    expect(() => netnsNameOf("..")).toThrow();
  });
});
