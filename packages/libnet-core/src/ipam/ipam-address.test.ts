import { describe, expect, it } from "vitest";
import { expectNetdError } from "./expect-error.test-helper.js";
import { Ipam } from "./ipam.js";
import type { IpamFamilyRequest } from "./types.js";

const ULA = "fd12:3456:789a::/48";

function withNetwork(name: string, ipv4: IpamFamilyRequest | null, ipv6: IpamFamilyRequest | null = null, reserveGateway = true): Ipam {
  const ipam = new Ipam({ ula48: ULA });
  ipam.allocateNetwork({ networkId: name, networkName: name, ipv4, ipv6, reserveGateway });
  return ipam;
}

describe("Ipam.allocateAddress: dynamic", () => {
  it("starts after the gateway and returns CIDRs with the subnet's prefix", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" });
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.2/24");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.3/24");
    expect(ipam.usage("web").ipv4).toEqual({ allocated: 2, total: 253 });
  });

  it("starts at the first usable address without a gateway", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" }, null, false);
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.1/24");
  });

  it("exhausts a /30: one address besides the gateway", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/30" });
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.2/30");
    const err = expectNetdError(
      () => ipam.allocateAddress("web", 4),
      "ADDRESSES_EXHAUSTED",
      "no free IPv4 address in network 'web' (10.0.0.0/30); remove unused endpoints, or recreate the network with a larger subnet or ip-range",
    );
    expect(err.category).toBe("conflict");
    expect(ipam.usage("web").ipv4).toEqual({ allocated: 1, total: 1 });
  });

  it("exhausts a /29 after five endpoints and never hands out network or broadcast", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.8/29" });
    const got = Array.from({ length: 5 }, () => ipam.allocateAddress("web", 4));
    expect(got).toEqual(["10.0.0.10/29", "10.0.0.11/29", "10.0.0.12/29", "10.0.0.13/29", "10.0.0.14/29"]);
    expectNetdError(() => ipam.allocateAddress("web", 4), "ADDRESSES_EXHAUSTED", /\(10\.0\.0\.8\/29\)/);
  });

  it("uses every address of a /31 and a /32", () => {
    const p2p = withNetwork("p2p", { subnet: "10.0.0.0/31" });
    expect([p2p.allocateAddress("p2p", 4), p2p.allocateAddress("p2p", 4)]).toEqual(["10.0.0.0/31", "10.0.0.1/31"]);
    expectNetdError(() => p2p.allocateAddress("p2p", 4), "ADDRESSES_EXHAUSTED");
    expect(p2p.usage("p2p").ipv4).toEqual({ allocated: 2, total: 2 });
    const host = withNetwork("one", { subnet: "10.0.0.7/32" });
    expect(host.allocateAddress("one", 4)).toBe("10.0.0.7/32");
    expectNetdError(() => host.allocateAddress("one", 4), "ADDRESSES_EXHAUSTED");
  });

  it("allocates dynamic addresses only from the ip-range", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24", ipRange: "10.0.0.128/30" });
    expect([ipam.allocateAddress("web", 4), ipam.allocateAddress("web", 4), ipam.allocateAddress("web", 4), ipam.allocateAddress("web", 4)]).toEqual([
      "10.0.0.128/24",
      "10.0.0.129/24",
      "10.0.0.130/24",
      "10.0.0.131/24",
    ]);
    expectNetdError(
      () => ipam.allocateAddress("web", 4),
      "ADDRESSES_EXHAUSTED",
      /no free IPv4 address in network 'web' \(10\.0\.0\.0\/24, ip-range 10\.0\.0\.128\/30\)/,
    );
    // A static address may still come from outside the range.
    expect(ipam.allocateAddress("web", 4, "10.0.0.50")).toBe("10.0.0.50/24");
  });

  it("skips the network and broadcast addresses when the ip-range covers them", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/30", ipRange: "10.0.0.0/30" }, null, false);
    expect([ipam.allocateAddress("web", 4), ipam.allocateAddress("web", 4)]).toEqual(["10.0.0.1/30", "10.0.0.2/30"]);
    expectNetdError(() => ipam.allocateAddress("web", 4), "ADDRESSES_EXHAUSTED");
  });
});

describe("Ipam: release and the cursor", () => {
  it("does not reuse a released address until the range wraps", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/29" });
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.2/29");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.3/29");
    ipam.releaseAddress("web", 4, "10.0.0.2/29");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.4/29");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.5/29");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.6/29");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.2/29");
    expectNetdError(() => ipam.allocateAddress("web", 4), "ADDRESSES_EXHAUSTED");
    ipam.releaseAddress("web", 4, "10.0.0.5");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.5/29");
  });

  it("rewinds on rollback so a failed create leaves no trace", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" }, { subnet: "fd00:1::/64" });
    const v4 = ipam.allocateAddress("web", 4);
    const v6 = ipam.allocateAddress("web", 6);
    ipam.releaseAddress("web", 6, v6, { rewind: true });
    ipam.releaseAddress("web", 4, v4, { rewind: true });
    expect(ipam.usage("web")).toEqual({ ipv4: { allocated: 0, total: 253 }, ipv6: { allocated: 0n, total: (1n << 64n) - 2n } });
    expect([ipam.allocateAddress("web", 4), ipam.allocateAddress("web", 6)]).toEqual(["10.0.0.2/24", "fd00:1::2/64"]);
  });

  it("ignores unknown networks, free addresses, the gateway and aux addresses", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24", auxAddresses: { nas: "10.0.0.9" } });
    ipam.releaseAddress("nope", 4, "10.0.0.2");
    ipam.releaseAddress("web", 6, "fd00::2");
    ipam.releaseAddress("web", 4, "10.0.0.77");
    ipam.releaseAddress("web", 4, "10.0.0.1");
    ipam.releaseAddress("web", 4, "10.0.0.9/24");
    ipam.releaseAddress("web", 4, "192.168.1.1");
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.1"), "ADDRESS_IN_USE");
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.9"), "ADDRESS_IN_USE");
    expect(ipam.usage("web").ipv4).toEqual({ allocated: 0, total: 252 });
  });

  it("rejects malformed addresses on release", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" });
    expectNetdError(() => ipam.releaseAddress("web", 4, "10.0.0.02"), "INVALID_ADDRESS");
    expectNetdError(() => ipam.releaseAddress("web", 4, "10.0.0.2/16"), "INVALID_ADDRESS", /use 10\.0\.0\.2\/24 or the address alone/);
    expectNetdError(() => ipam.releaseAddress("gone", 4, "banana"), "INVALID_ADDRESS");
  });

  it("frees the subnet on network release", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" });
    ipam.allocateAddress("web", 4);
    ipam.releaseNetwork("web");
    ipam.releaseNetwork("web");
    expectNetdError(() => ipam.allocateAddress("web", 4), "NETWORK_NOT_FOUND");
    ipam.allocateNetwork({ networkId: "web2", networkName: "web2", ipv4: { subnet: "10.0.0.0/16" }, ipv6: null, reserveGateway: true });
    expect(ipam.allocateAddress("web2", 4)).toBe("10.0.0.2/16");
  });
});

describe("Ipam.allocateAddress: static", () => {
  it("assigns a requested address anywhere in the subnet without moving the cursor", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" });
    expect(ipam.allocateAddress("web", 4, "10.0.0.3")).toBe("10.0.0.3/24");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.2/24");
    expect(ipam.allocateAddress("web", 4)).toBe("10.0.0.4/24");
  });

  it("rejects an address in use, the gateway, outside the subnet or reserved", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" });
    ipam.allocateAddress("web", 4, "10.0.0.5");
    const inUse = expectNetdError(
      () => ipam.allocateAddress("web", 4, "10.0.0.5"),
      "ADDRESS_IN_USE",
      "address 10.0.0.5 is already in use in network 'web'; pick another address, or leave it out to get a free one",
    );
    expect(inUse.category).toBe("conflict");
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.1"), "ADDRESS_IN_USE", /address 10\.0\.0\.1 is the gateway in network 'web'/);
    expectNetdError(
      () => ipam.allocateAddress("web", 4, "10.0.1.5"),
      "ADDRESS_OUT_OF_SUBNET",
      "address 10.0.1.5 is not in subnet 10.0.0.0/24; pick an address between 10.0.0.1 and 10.0.0.254",
    );
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.255"), "INVALID_ADDRESS", /broadcast address/);
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.0"), "INVALID_ADDRESS", /network address/);
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.5/24"), "INVALID_ADDRESS", /without a prefix length/);
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.005"), "INVALID_ADDRESS");
    expectNetdError(() => ipam.allocateAddress("web", 4, "fd00::5"), "INVALID_ADDRESS", /IPv6 address where an IPv4 one/);
    expect(ipam.usage("web").ipv4).toEqual({ allocated: 1, total: 253 });
  });

  it("names aux-address holders", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24", auxAddresses: { nas: "10.0.0.9" } });
    expectNetdError(() => ipam.allocateAddress("web", 4, "10.0.0.9"), "ADDRESS_IN_USE", /is reserved as aux-address 'nas' in network 'web'/);
  });

  it("rejects unknown networks and disabled families", () => {
    const ipam = withNetwork("web", { subnet: "10.0.0.0/24" });
    const nf = expectNetdError(() => ipam.allocateAddress("nope", 4), "NETWORK_NOT_FOUND", /IPAM holds no allocation for network nope/);
    expect(nf.category).toBe("not_found");
    expectNetdError(() => ipam.allocateAddress("web", 6), "FAMILY_DISABLED", /network 'web' has no IPv6 subnet; enable IPv6 on the network/);
    expectNetdError(() => ipam.usage("nope"), "NETWORK_NOT_FOUND");
  });
});

describe("Ipam: IPv6 addresses", () => {
  it("allocates sequentially in a /64 and never the anycast address", () => {
    const ipam = withNetwork("v6", null, { subnet: "fd00:1::/64" }, false);
    expect(ipam.allocateAddress("v6", 6)).toBe("fd00:1::1/64");
    expect(ipam.allocateAddress("v6", 6)).toBe("fd00:1::2/64");
    expect(ipam.usage("v6").ipv6).toEqual({ allocated: 2n, total: (1n << 64n) - 1n });
  });

  it("accepts static IPv6 addresses in any spelling and reports them canonically", () => {
    const ipam = withNetwork("v6", { subnet: "10.0.0.0/24" }, { subnet: "fd00:1::/64" });
    expect(ipam.allocateAddress("v6", 6, "FD00:1:0:0:0:0:0:00AB")).toBe("fd00:1::ab/64");
    expectNetdError(() => ipam.allocateAddress("v6", 6, "fd00:1::ab"), "ADDRESS_IN_USE", /address fd00:1::ab is already in use/);
    expectNetdError(() => ipam.allocateAddress("v6", 6, "fd00:1::1"), "ADDRESS_IN_USE", /is the gateway/);
    expectNetdError(() => ipam.allocateAddress("v6", 6, "fd00:1::"), "INVALID_ADDRESS", /subnet-router anycast/);
    expectNetdError(() => ipam.allocateAddress("v6", 6, "fd00:2::1"), "ADDRESS_OUT_OF_SUBNET");
    expectNetdError(() => ipam.allocateAddress("v6", 6, "fe80::1%eth0"), "INVALID_ADDRESS", /no zone id/);
    ipam.releaseAddress("v6", 6, "fd00:1:0::ab/64");
    expect(ipam.usage("v6").ipv6?.allocated).toBe(0n);
    expect(ipam.allocateAddress("v6", 4)).toBe("10.0.0.2/24");
  });

  it("wraps at the end of a small IPv6 range", () => {
    const ipam = withNetwork("v6", null, { subnet: "fd00:1::/126" });
    expect([ipam.allocateAddress("v6", 6), ipam.allocateAddress("v6", 6)]).toEqual(["fd00:1::2/126", "fd00:1::3/126"]);
    expectNetdError(() => ipam.allocateAddress("v6", 6), "ADDRESSES_EXHAUSTED", /no free IPv6 address in network 'v6' \(fd00:1::\/126\)/);
    ipam.releaseAddress("v6", 6, "fd00:1::2");
    expect(ipam.allocateAddress("v6", 6)).toBe("fd00:1::2/126");
  });

  it("stays fast with many addresses in a /64", () => {
    const ipam = withNetwork("v6", null, { subnet: "fd00:1::/64" });
    for (let i = 0; i < 5000; i++) ipam.allocateAddress("v6", 6);
    expect(ipam.allocateAddress("v6", 6)).toBe(`fd00:1::${(5002).toString(16)}/64`);
  });
});
