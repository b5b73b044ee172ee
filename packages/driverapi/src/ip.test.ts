import { describe, expect, it } from "vitest";
import { canonicalIp, ipv4Octets, ipv6Groups, parseIpAddress } from "./ip.js";

function text(input: string): string {
  const parsed = parseIpAddress(input);
  if (!parsed.ok) throw new Error(`${input}: ${parsed.reason}`);
  return parsed.address.text;
}

describe("parseIpAddress", () => {
  it("keeps IPv4 as a dotted quad and flags 0.0.0.0 as unspecified", () => {
    expect(parseIpAddress("127.0.0.1")).toEqual({ ok: true, address: { text: "127.0.0.1", family: 4, unspecified: false } });
    expect(parseIpAddress("0.0.0.0")).toEqual({ ok: true, address: { text: "0.0.0.0", family: 4, unspecified: true } });
  });

  it("canonicalises IPv6 to RFC 5952 text", () => {
    expect(text("::")).toBe("::");
    expect(text("0:0:0:0:0:0:0:0")).toBe("::");
    expect(text("0:0:0:0:0:0:0:1")).toBe("::1");
    expect(text("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(text("2001:0db8:0000:0001:0000:0000:0000:0001")).toBe("2001:db8:0:1::1");
    // A single zero group is not compressed; the first of two equal runs is.
    expect(text("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(text("2001:0:0:1:0:0:1:1")).toBe("2001::1:0:0:1:1");
    expect(text("fe80::1:2")).toBe("fe80::1:2");
    expect(text("::2:3:4:5:6:7:8")).toBe("0:2:3:4:5:6:7:8");
    expect(parseIpAddress("::").ok && parseIpAddress("::")).toMatchObject({ address: { family: 6, unspecified: true } });
  });

  it("unmaps IPv4-mapped IPv6 addresses (§4.6)", () => {
    expect(parseIpAddress("::ffff:127.0.0.1")).toEqual({ ok: true, address: { text: "127.0.0.1", family: 4, unspecified: false } });
    expect(text("::FFFF:7f00:1")).toBe("127.0.0.1");
    expect(text("0:0:0:0:0:ffff:c0a8:0101")).toBe("192.168.1.1");
    expect(parseIpAddress("::ffff:0.0.0.0")).toEqual({ ok: true, address: { text: "0.0.0.0", family: 4, unspecified: true } });
    // IPv4-compatible (deprecated) addresses are plain IPv6.
    expect(text("::127.0.0.1")).toBe("::7f00:1");
  });

  it.each([
    ["", "empty"],
    ["localhost", "not an IPv4 or IPv6 address"],
    ["256.0.0.1", "not an IPv4 or IPv6 address"],
    ["127.0.0", "not an IPv4 or IPv6 address"],
    ["127.000.0.1", "not an IPv4 or IPv6 address"],
    ["1::2::3", "not an IPv4 or IPv6 address"],
    ["1:2:3:4:5:6:7:8:9", "not an IPv4 or IPv6 address"],
    ["1:2:3:4:5:6:7", "not an IPv4 or IPv6 address"],
    ["1:2:3:4::5:6:7:8", "not an IPv4 or IPv6 address"],
    ["12345::", "not an IPv4 or IPv6 address"],
    ["::1.2.3.4:5", "not an IPv4 or IPv6 address"],
    ["fe80::1%eth0", "zone indexes are not supported"],
    ["10.0.0.0/8", "not an IPv4 or IPv6 address"],
  ])("refuses %j (%s)", (input, reason) => {
    expect(parseIpAddress(input)).toEqual({ ok: false, reason });
  });
});

describe("canonicalIp", () => {
  it("returns canonical text or null", () => {
    expect(canonicalIp("::FFFF:127.0.0.1")).toBe("127.0.0.1");
    expect(canonicalIp("2001:DB8::0:1")).toBe("2001:db8::1");
    expect(canonicalIp("10.0.0.05")).toBeNull();
    expect(canonicalIp("fe80::1%eth0")).toBeNull();
  });
});

describe("ipv4Octets and ipv6Groups", () => {
  it("give the numbers of an address as written: mapped addresses stay IPv6, zone indexes and loose forms are refused", () => {
    expect(ipv4Octets("10.0.0.255")).toEqual([10, 0, 0, 255]);
    for (const bad of ["010.0.0.1", "1.2.3", "256.0.0.1", "0x1.2.3.4", "1.2.3.4 "]) expect(ipv4Octets(bad), bad).toBeNull();
    expect(ipv6Groups("fd00::1")).toEqual([0xfd00, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("::ffff:10.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0a00, 1]);
    expect(ipv6Groups("::1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0, 0x0102, 0x0304]);
    for (const bad of ["fe80::1%eth0", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::1.2.3.04", "1.2.3.4::"]) expect(ipv6Groups(bad), bad).toBeNull();
  });
});
