import { describe, expect, it } from "vitest";
import { expectNetdError } from "./expect-error.test-helper.js";
import { Ipam } from "./ipam.js";
import type { IpamFamilyRequest, IpamNetworkRequest } from "./types.js";

const ULA = "fd12:3456:789a::/48";

function req(id: string, ipv4: IpamFamilyRequest | null = {}, ipv6: IpamFamilyRequest | null = null, reserveGateway = true): IpamNetworkRequest {
  return { networkId: id, networkName: id, ipv4, ipv6, reserveGateway };
}

describe("Ipam.allocateNetwork: default pools", () => {
  it("takes Docker's default pools in order", () => {
    const ipam = new Ipam({ ula48: ULA });
    const subnets = Array.from({ length: 17 }, (_, i) => ipam.allocateNetwork(req(`n${i}`)).ipv4?.subnet);
    expect(subnets.slice(0, 3)).toEqual(["172.17.0.0/16", "172.18.0.0/16", "172.19.0.0/16"]);
    expect(subnets[14]).toBe("172.31.0.0/16");
    expect(subnets[15]).toBe("192.168.0.0/20");
    expect(subnets[16]).toBe("192.168.16.0/20");
    expect(ipam.allocation("n0")).toEqual({
      ipv4: { subnet: "172.17.0.0/16", gateway: "172.17.0.1", ipRange: null, auxAddresses: {} },
      ipv6: null,
    });
  });

  it("skips subnets used by explicit networks and reuses released ones", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.allocateNetwork(req("a", { subnet: "172.17.5.0/24" }));
    expect(ipam.allocateNetwork(req("b")).ipv4?.subnet).toBe("172.18.0.0/16");
    ipam.releaseNetwork("a");
    expect(ipam.allocateNetwork(req("c")).ipv4?.subnet).toBe("172.17.0.0/16");
  });

  it("skips pool subnets overlapping a prefix to avoid (the host's routes), not explicit subnets", () => {
    const ipam = new Ipam({ ula48: ULA });
    const avoid = ["172.17.3.0/24", "172.18.0.7", "fd12:3456:789a::/64", "not-a-prefix", "10.0.0.0/8"];
    const a = ipam.allocateNetwork({ ...req("a", {}, {}), avoid });
    expect([a.ipv4?.subnet, a.ipv6?.subnet]).toEqual(["172.19.0.0/16", "fd12:3456:789a:1::/64"]);
    expect(ipam.allocateNetwork({ ...req("b", { subnet: "10.1.0.0/24" }), avoid }).ipv4?.subnet).toBe("10.1.0.0/24");
    expect(ipam.allocateNetwork(req("c")).ipv4?.subnet).toBe("172.17.0.0/16");
    const small = new Ipam({ ula48: ULA, defaultPools4: [{ base: "10.10.0.0/24", size: 24 }] });
    expectNetdError(
      () => small.allocateNetwork({ ...req("d"), avoid: ["10.10.0.0/16"] }),
      "POOLS_EXHAUSTED",
      "all default IPv4 address pools are in use or overlap a prefix to avoid (a host route); give an explicit IPv4 subnet, remove unused networks, or add default address pools",
    );
  });

  it("uses configured pools and fails when they are exhausted", () => {
    const ipam = new Ipam({ ula48: ULA, defaultPools4: [{ base: "10.10.0.0/23", size: 24 }] });
    expect(ipam.allocateNetwork(req("a")).ipv4?.subnet).toBe("10.10.0.0/24");
    expect(ipam.allocateNetwork(req("b")).ipv4?.subnet).toBe("10.10.1.0/24");
    const err = expectNetdError(
      () => ipam.allocateNetwork(req("c")),
      "POOLS_EXHAUSTED",
      "all default IPv4 address pools are in use; give an explicit IPv4 subnet, remove unused networks, or add default address pools",
    );
    expect(err.category).toBe("conflict");
    expect(ipam.allocation("c")).toBeUndefined();
    ipam.releaseNetwork("a");
    expect(ipam.allocateNetwork(req("c")).ipv4?.subnet).toBe("10.10.0.0/24");
  });

  it("says so when no pool is configured", () => {
    const ipam = new Ipam({ ula48: ULA, defaultPools4: [] });
    expectNetdError(() => ipam.allocateNetwork(req("a")), "POOLS_EXHAUSTED", /no default IPv4 address pool is configured; give an explicit IPv4 subnet/);
    expect(ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24" })).ipv4?.subnet).toBe("10.0.0.0/24");
  });

  it("rejects invalid pool options in the constructor", () => {
    expectNetdError(() => new Ipam({ defaultPools4: [{ base: "10.0.0.0/33", size: 24 }] }), "INVALID_POOL");
    expectNetdError(() => new Ipam({ ula48: "fd00::/72" }), "INVALID_POOL", /longer than \/64/);
    expectNetdError(() => new Ipam({ ula48: "10.0.0.0/8" }), "INVALID_POOL");
  });
});

describe("Ipam.allocateNetwork: explicit subnets and overlap", () => {
  it("keeps an explicit subnet and reserves its first address as gateway", () => {
    const ipam = new Ipam({ ula48: ULA });
    expect(ipam.allocateNetwork(req("web", { subnet: "10.0.0.0/24" }))).toEqual({
      ipv4: { subnet: "10.0.0.0/24", gateway: "10.0.0.1", ipRange: null, auxAddresses: {} },
      ipv6: null,
    });
  });

  it("rejects a subnet inside or around an existing one", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.allocateNetwork({ ...req("id-web", { subnet: "10.0.0.0/16" }), networkName: "web" });
    const err = expectNetdError(
      () => ipam.allocateNetwork(req("db", { subnet: "10.0.0.0/24" })),
      "SUBNET_OVERLAP",
      "subnet 10.0.0.0/24 overlaps network 'web' (10.0.0.0/16); pick another subnet or remove 'web'",
    );
    expect(err.category).toBe("conflict");
    expect(err.details).toMatchObject({ network: "web", networkId: "id-web", networkSubnet: "10.0.0.0/16" });
    expectNetdError(
      () => ipam.allocateNetwork(req("db", { subnet: "10.0.0.0/8" })),
      "SUBNET_OVERLAP",
      "subnet 10.0.0.0/8 overlaps network 'web' (10.0.0.0/16); pick another subnet or remove 'web'",
    );
    expect(ipam.allocateNetwork(req("db", { subnet: "10.1.0.0/16" })).ipv4?.subnet).toBe("10.1.0.0/16");
  });

  it("rejects an explicit subnet that overlaps a pool-allocated one", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.allocateNetwork(req("first"));
    expectNetdError(() => ipam.allocateNetwork(req("x", { subnet: "172.17.3.0/24" })), "SUBNET_OVERLAP", /network 'first' \(172\.17\.0\.0\/16\)/);
  });

  it("checks IPv6 against IPv6 networks and never against IPv4 ones", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24" }, { subnet: "fd00:1::/64" }));
    expectNetdError(
      () => ipam.allocateNetwork(req("b", { subnet: "10.0.1.0/24" }, { subnet: "fd00:1::/48" })),
      "SUBNET_OVERLAP",
      "subnet fd00:1::/48 overlaps network 'a' (fd00:1::/64); pick another subnet or remove 'a'",
    );
    // The failed call reserved nothing: its IPv4 subnet is still free.
    expect(ipam.allocateNetwork(req("c", { subnet: "10.0.1.0/24" }, null)).ipv4?.subnet).toBe("10.0.1.0/24");
    expect(ipam.allocateNetwork(req("d", null, { subnet: "fd00:2::/64" })).ipv6?.subnet).toBe("fd00:2::/64");
  });

  it("rejects a second allocation for the same id", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24" }));
    expectNetdError(() => ipam.allocateNetwork(req("a", { subnet: "10.9.0.0/24" })), "NETWORK_EXISTS");
    expectNetdError(() => ipam.allocateNetwork(req("")), "INVALID_ARGUMENT");
  });

  it("allows a network with no address family", () => {
    const ipam = new Ipam({ ula48: ULA });
    expect(ipam.allocateNetwork(req("none", null, null))).toEqual({ ipv4: null, ipv6: null });
    expect(ipam.usage("none")).toEqual({ ipv4: null, ipv6: null });
  });
});

describe("Ipam.allocateNetwork: input validation", () => {
  const ipam = new Ipam({ ula48: ULA });

  it("rejects host bits, suggesting the canonical subnet", () => {
    const err = expectNetdError(
      () => ipam.allocateNetwork(req("x", { subnet: "10.0.0.5/24" })),
      "INVALID_SUBNET",
      "subnet 10.0.0.5/24 has host bits set; use 10.0.0.0/24",
    );
    expect(err.category).toBe("invalid");
    expectNetdError(() => ipam.allocateNetwork(req("x", null, { subnet: "fd00::1/64" })), "INVALID_SUBNET", /use fd00::\/64/);
  });

  it.each(["10.0.0.05/24", "10.0.0.0", "10.0.0.0/33", "10.0.0.0/08", "ten/8", "10.0.0.0/24 "])("rejects malformed subnet %j", (subnet) => {
    expectNetdError(() => ipam.allocateNetwork(req("x", { subnet })), "INVALID_SUBNET", new RegExp(`subnet '${subnet.replace(/[./]/g, "\\$&")}' is not a valid IPv4 CIDR`));
  });

  it("rejects a subnet of the wrong family", () => {
    expectNetdError(
      () => ipam.allocateNetwork(req("x", { subnet: "fd00::/64" })),
      "INVALID_SUBNET",
      "subnet fd00::/64 is an IPv6 prefix where an IPv4 one was expected; give it as the IPv6 subnet instead",
    );
    expectNetdError(() => ipam.allocateNetwork(req("x", null, { subnet: "10.0.0.0/24" })), "INVALID_SUBNET", /IPv4 prefix where an IPv6/);
  });

  it("needs a subnet for ip-range, gateway and aux addresses", () => {
    expectNetdError(
      () => ipam.allocateNetwork(req("x", { ipRange: "10.0.0.0/25", gateway: "10.0.0.1" })),
      "SUBNET_REQUIRED",
      "ip-range 10.0.0.0/25, gateway 10.0.0.1 given without an IPv4 subnet; also give the subnet they belong to",
    );
    expectNetdError(() => ipam.allocateNetwork(req("x", null, { auxAddresses: { a: "fd00::5" } })), "SUBNET_REQUIRED", /aux-addresses given without an IPv6 subnet/);
  });

  it("leaves nothing behind after any failure", () => {
    expect(ipam.allocation("x")).toBeUndefined();
    expect(ipam.allocateNetwork(req("y", {})).ipv4?.subnet).toBe("172.17.0.0/16");
  });
});

describe("Ipam.allocateNetwork: gateway", () => {
  it("keeps an explicit gateway", () => {
    const ipam = new Ipam({ ula48: ULA });
    const a = ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", gateway: "10.0.0.254" }, { subnet: "fd00:a::/64", gateway: "fd00:a::ffff" }));
    expect(a.ipv4?.gateway).toBe("10.0.0.254");
    expect(a.ipv6?.gateway).toBe("fd00:a::ffff");
  });

  it("reserves the first address of the subnet for IPv6 too", () => {
    const ipam = new Ipam({ ula48: ULA });
    expect(ipam.allocateNetwork(req("a", null, { subnet: "FD00:A:0::/64" })).ipv6).toEqual({
      subnet: "fd00:a::/64",
      gateway: "fd00:a::1",
      ipRange: null,
      auxAddresses: {},
    });
  });

  it("reserves no gateway when not asked to, unless one is given", () => {
    const ipam = new Ipam({ ula48: ULA });
    expect(ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24" }, {}, false))).toMatchObject({
      ipv4: { gateway: null },
      ipv6: { gateway: null },
    });
    expect(ipam.allocateNetwork(req("b", { subnet: "10.0.1.0/24", gateway: "10.0.1.9" }, null, false)).ipv4?.gateway).toBe("10.0.1.9");
  });

  it("rejects a gateway outside the subnet or on a reserved address", () => {
    const ipam = new Ipam({ ula48: ULA });
    expectNetdError(
      () => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", gateway: "10.1.0.1" })),
      "GATEWAY_OUT_OF_SUBNET",
      "gateway 10.1.0.1 is not in subnet 10.0.0.0/24; pick an address between 10.0.0.1 and 10.0.0.254",
    );
    expectNetdError(
      () => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", gateway: "10.0.0.0" })),
      "INVALID_ADDRESS",
      "gateway 10.0.0.0 is the network address of subnet 10.0.0.0/24; pick an address between 10.0.0.1 and 10.0.0.254",
    );
    expectNetdError(() => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", gateway: "10.0.0.255" })), "INVALID_ADDRESS", /broadcast address/);
    expectNetdError(() => ipam.allocateNetwork(req("a", null, { subnet: "fd00::/64", gateway: "fd00::" })), "INVALID_ADDRESS", /subnet-router anycast address/);
    expectNetdError(() => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", gateway: "10.0.0.1/24" })), "INVALID_ADDRESS", /without a prefix length/);
    expectNetdError(() => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", gateway: "10.0.0.01" })), "INVALID_ADDRESS", /gateway '10\.0\.0\.01' is not a valid IPv4 address/);
    expect(ipam.allocation("a")).toBeUndefined();
  });

  it("gives /31 and /32 no default gateway but accepts an explicit one", () => {
    const ipam = new Ipam({ ula48: ULA });
    expect(ipam.allocateNetwork(req("p2p", { subnet: "10.0.0.0/31" })).ipv4?.gateway).toBeNull();
    expect(ipam.allocateNetwork(req("host", { subnet: "10.0.0.9/32" })).ipv4?.gateway).toBeNull();
    expect(ipam.allocateNetwork(req("p2p-gw", { subnet: "10.0.1.0/31", gateway: "10.0.1.0" })).ipv4?.gateway).toBe("10.0.1.0");
    expect(ipam.allocateNetwork(req("v6", null, { subnet: "fd00::/127" })).ipv6?.gateway).toBeNull();
  });
});

describe("Ipam.allocateNetwork: ip-range and aux addresses", () => {
  it("keeps the ip-range", () => {
    const ipam = new Ipam({ ula48: ULA });
    expect(ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/16", ipRange: "10.0.5.0/24" })).ipv4).toEqual({
      subnet: "10.0.0.0/16",
      gateway: "10.0.0.1",
      ipRange: "10.0.5.0/24",
      auxAddresses: {},
    });
  });

  it("rejects an ip-range outside the subnet, malformed or without assignable addresses", () => {
    const ipam = new Ipam({ ula48: ULA });
    expectNetdError(
      () => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", ipRange: "10.0.1.0/25" })),
      "INVALID_IP_RANGE",
      "ip-range 10.0.1.0/25 is not inside subnet 10.0.0.0/24; pick a range inside the subnet",
    );
    expectNetdError(() => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", ipRange: "10.0.0.0/23" })), "INVALID_IP_RANGE", /not inside/);
    expectNetdError(() => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", ipRange: "10.0.0.1/25" })), "INVALID_IP_RANGE", /ip-range 10\.0\.0\.1\/25 has host bits set; use 10\.0\.0\.0\/25/);
    expectNetdError(() => ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", ipRange: "10.0.0.255/32" })), "INVALID_IP_RANGE", /holds no assignable address/);
  });

  it("reserves aux addresses and moves the default gateway past them", () => {
    const ipam = new Ipam({ ula48: ULA });
    const a = ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", auxAddresses: { router: "10.0.0.1", nas: "10.0.0.3" } }));
    expect(a.ipv4).toEqual({ subnet: "10.0.0.0/24", gateway: "10.0.0.2", ipRange: null, auxAddresses: { router: "10.0.0.1", nas: "10.0.0.3" } });
    expect(ipam.allocateAddress("a", 4)).toBe("10.0.0.4/24");
    expect(ipam.usage("a").ipv4).toEqual({ allocated: 1, total: 254 - 3 });
  });

  it("rejects bad aux addresses", () => {
    const ipam = new Ipam({ ula48: ULA });
    const net = (auxAddresses: Record<string, string>, gateway?: string) =>
      ipam.allocateNetwork(req("a", { subnet: "10.0.0.0/24", auxAddresses, ...(gateway ? { gateway } : {}) }));
    expectNetdError(
      () => net({ h: "10.0.1.3" }),
      "ADDRESS_OUT_OF_SUBNET",
      "aux-address 'h' 10.0.1.3 is not in subnet 10.0.0.0/24; pick an address between 10.0.0.1 and 10.0.0.254",
    );
    expectNetdError(() => net({ h: "10.0.0.255" }), "INVALID_ADDRESS", /aux-address 'h' 10\.0\.0\.255 is the broadcast address/);
    expectNetdError(() => net({ h: "10.0.0.1" }, "10.0.0.1"), "INVALID_ADDRESS", "aux-address 'h' 10.0.0.1 is also the gateway; give each reserved address only once");
    expectNetdError(() => net({ h: "10.0.0.7", i: "10.0.0.7" }), "INVALID_ADDRESS", /aux-address 'i' 10\.0\.0\.7 is also aux-address 'h'/);
    expectNetdError(() => net({ h: "fd00::1" }), "INVALID_ADDRESS", /IPv6 address where an IPv4 one was expected/);
    expectNetdError(() => net({ "": "10.0.0.7" }), "INVALID_ADDRESS", /empty name/);
    expect(ipam.allocation("a")).toBeUndefined();
  });

  it("fails when aux addresses leave no room for the gateway", () => {
    const ipam = new Ipam({ ula48: ULA });
    expectNetdError(
      () => ipam.allocateNetwork(req("tiny", { subnet: "10.0.0.0/30", auxAddresses: { a: "10.0.0.1", b: "10.0.0.2" } })),
      "ADDRESSES_EXHAUSTED",
      /no free address for the gateway of network 'tiny' \(10\.0\.0\.0\/30\)/,
    );
    expect(ipam.allocation("tiny")).toBeUndefined();
  });
});
