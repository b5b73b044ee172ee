import { describe, expect, it } from "vitest";
import {
  canonical,
  containsPrefix,
  formatIp,
  formatPrefix,
  overlaps,
  parseCidr,
  parseIp,
  reservedRole,
  usableBounds,
} from "./subnet.js";

const cidr = (text: string) => {
  const p = parseCidr(text);
  if (!p) throw new Error(`bad test cidr ${text}`);
  return p;
};

describe("parseIp", () => {
  it("parses IPv4 dotted decimal", () => {
    expect(parseIp("10.0.0.1")).toEqual({ family: 4, value: 0x0a000001n });
    expect(parseIp("255.255.255.255")).toEqual({ family: 4, value: 0xffffffffn });
    expect(parseIp("0.0.0.0")).toEqual({ family: 4, value: 0n });
  });

  it.each(["10.0.0.05", "010.0.0.1", "10.1", "10.0.0", "0x0a.0.0.1", "256.0.0.1", "10.0.0.1 ", " 10.0.0.1", "", "10..0.1", "1.2.3.4.5"])(
    "rejects malformed IPv4 %j",
    (text) => {
      expect(parseIp(text)).toBeNull();
    },
  );

  it("parses IPv6 in any spelling", () => {
    expect(parseIp("fd00::1")).toEqual({ family: 6, value: (0xfdn << 120n) | 1n });
    expect(parseIp("FD00:0:0:0:0:0:0:1")).toEqual(parseIp("fd00::1"));
    expect(parseIp("::")).toEqual({ family: 6, value: 0n });
    expect(parseIp("::ffff:10.0.0.1")).toEqual({ family: 6, value: (0xffffn << 32n) | 0x0a000001n });
  });

  it.each(["fe80::1%eth0", "1::2::3", "1:2:3:4:5:6:7:8:9", "::ffff:10.0.0.05", "fd00::g", "fd00:: 1", ":"])(
    "rejects malformed IPv6 %j",
    (text) => {
      expect(parseIp(text)).toBeNull();
    },
  );
});

describe("parseCidr", () => {
  it("keeps host bits and the length", () => {
    expect(parseCidr("10.0.0.5/24")).toEqual({ family: 4, base: 0x0a000005n, length: 24 });
    expect(parseCidr("fd00::/64")).toEqual({ family: 6, base: 0xfdn << 120n, length: 64 });
  });

  it.each(["10.0.0.0", "10.0.0.0/33", "10.0.0.0/024", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/2 4", "fd00::/129", "10.0.0.0/24/1"])(
    "rejects %j",
    (text) => {
      expect(parseCidr(text)).toBeNull();
    },
  );
});

describe("formatIp", () => {
  it("writes IPv4 dotted decimal", () => {
    expect(formatIp(4, 0xac110002n)).toBe("172.17.0.2");
  });

  it("writes RFC 5952 IPv6", () => {
    const f = (text: string) => formatIp(6, parseIp(text)!.value);
    expect(f("FD00:0000:0000:0000:0000:0000:0000:0001")).toBe("fd00::1");
    expect(f("::")).toBe("::");
    expect(f("::1")).toBe("::1");
    expect(f("1::")).toBe("1::");
    expect(f("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(f("2001:0:0:1:0:0:0:1")).toBe("2001:0:0:1::1");
    expect(f("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(f("1:2:3:4:5:6:7:8")).toBe("1:2:3:4:5:6:7:8");
  });
});

describe("prefix helpers", () => {
  it("canonicalises", () => {
    expect(formatPrefix(canonical(cidr("10.0.0.5/24")))).toBe("10.0.0.0/24");
    expect(formatPrefix(canonical(cidr("fd00::1234/64")))).toBe("fd00::/64");
    expect(formatPrefix(canonical(cidr("10.1.2.3/0")))).toBe("0.0.0.0/0");
  });

  it("detects overlap both ways and never across families", () => {
    expect(overlaps(cidr("10.0.0.0/16"), cidr("10.0.5.0/24"))).toBe(true);
    expect(overlaps(cidr("10.0.5.0/24"), cidr("10.0.0.0/16"))).toBe(true);
    expect(overlaps(cidr("10.0.0.0/24"), cidr("10.0.1.0/24"))).toBe(false);
    expect(overlaps(cidr("0.0.0.0/0"), cidr("::/0"))).toBe(false);
  });

  it("checks containment", () => {
    expect(containsPrefix(cidr("10.0.0.0/24"), cidr("10.0.0.128/25"))).toBe(true);
    expect(containsPrefix(cidr("10.0.0.0/24"), cidr("10.0.0.0/23"))).toBe(false);
    expect(containsPrefix(cidr("10.0.0.0/24"), cidr("10.0.1.0/25"))).toBe(false);
  });

  it("knows which addresses are usable", () => {
    expect(usableBounds(cidr("10.0.0.0/24"))).toEqual({ first: 0x0a000001n, last: 0x0a0000fen });
    expect(usableBounds(cidr("10.0.0.0/31"))).toEqual({ first: 0x0a000000n, last: 0x0a000001n });
    expect(usableBounds(cidr("10.0.0.7/32"))).toEqual({ first: 0x0a000007n, last: 0x0a000007n });
    const v6 = cidr("fd00::/64");
    expect(usableBounds(v6)).toEqual({ first: v6.base + 1n, last: v6.base + (1n << 64n) - 1n });
    expect(reservedRole(cidr("10.0.0.0/24"), 0x0a000000n)).toBe("network address");
    expect(reservedRole(cidr("10.0.0.0/24"), 0x0a0000ffn)).toBe("broadcast address");
    expect(reservedRole(cidr("10.0.0.0/24"), 0x0a000001n)).toBeNull();
    expect(reservedRole(v6, v6.base)).toBe("subnet-router anycast address");
    expect(reservedRole(v6, v6.base + (1n << 64n) - 1n)).toBeNull();
  });
});
