import { describe, expect, it } from "vitest";
import { expectNetdError } from "./expect-error.test-helper.js";
import { Ipam } from "./ipam.js";
import type { IpamStoredAllocation } from "./types.js";
import { generateUla48 } from "./ula.js";

const ULA = "fd12:3456:789a::/48";

function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe("ULA /64s for IPv6 networks without a subnet", () => {
  it("generates the /48 from the injected random source", () => {
    expect(generateUla48(sequence(0x12 / 256, 0x34 / 256, 0x56 / 256, 0x78 / 256, 0x9a / 256))).toBe("fd12:3456:789a::/48");
    expect(generateUla48(() => 0)).toBe("fd00::/48");
    expect(generateUla48(() => 0.999999)).toBe("fdff:ffff:ffff::/48");
    expect(generateUla48(() => Number.NaN)).toBe("fd00::/48");
    const ipam = new Ipam({ random: sequence(0xab / 256, 0xcd / 256, 0xef / 256, 0x01 / 256, 0x23 / 256) });
    expect(ipam.ula48).toBe("fdab:cdef:123::/48");
    expect(ipam.allocateNetwork({ networkId: "a", networkName: "a", ipv4: null, ipv6: {}, reserveGateway: true }).ipv6).toEqual({
      subnet: "fdab:cdef:123::/64",
      gateway: "fdab:cdef:123::1",
      ipRange: null,
      auxAddresses: {},
    });
  });

  it("draws a random prefix by default", () => {
    const a = new Ipam().ula48;
    expect(a).toMatch(/^fd[0-9a-f]{0,2}(:[0-9a-f]{1,4}){0,2}::\/48$/);
  });

  it("carves /64s in order, skipping explicit ones and reusing released ones", () => {
    const ipam = new Ipam({ ula48: ULA });
    const v6 = (id: string, subnet?: string) =>
      ipam.allocateNetwork({ networkId: id, networkName: id, ipv4: null, ipv6: subnet ? { subnet } : {}, reserveGateway: true }).ipv6?.subnet;
    expect(v6("a")).toBe("fd12:3456:789a::/64");
    expect(v6("b", "fd12:3456:789a:1::/64")).toBe("fd12:3456:789a:1::/64");
    expect(v6("c")).toBe("fd12:3456:789a:2::/64");
    ipam.releaseNetwork("a");
    expect(v6("d")).toBe("fd12:3456:789a::/64");
  });

  it("fails when the ULA prefix is full", () => {
    const ipam = new Ipam({ ula48: "fd00:0:0:ff00::/63" });
    const v6 = (id: string) => ipam.allocateNetwork({ networkId: id, networkName: id, ipv4: null, ipv6: {}, reserveGateway: true });
    expect(v6("a").ipv6?.subnet).toBe("fd00:0:0:ff00::/64");
    expect(v6("b").ipv6?.subnet).toBe("fd00:0:0:ff01::/64");
    expectNetdError(() => v6("c"), "POOLS_EXHAUSTED", "every /64 of the IPv6 ULA prefix fd00:0:0:ff00::/63 is in use; give an explicit IPv6 subnet or remove unused networks");
  });
});

describe("Ipam.restoreNetwork", () => {
  const stored: IpamStoredAllocation = {
    ipv4: { subnet: "10.0.0.0/24", gateway: "10.0.0.254", ipRange: "10.0.0.0/28", auxAddresses: { nas: "10.0.0.9" } },
    ipv6: { subnet: "fd00:1::/64", gateway: null, ipRange: null },
  };

  it("re-marks the network exactly as stored", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.restoreNetwork("id-web", "web", stored, ["10.0.0.3/24", "10.0.0.5", "fd00:1::7/64", "10.0.0.200/24"]);
    expect(ipam.allocation("id-web")).toEqual({
      ipv4: { subnet: "10.0.0.0/24", gateway: "10.0.0.254", ipRange: "10.0.0.0/28", auxAddresses: { nas: "10.0.0.9" } },
      ipv6: { subnet: "fd00:1::/64", gateway: null, ipRange: null, auxAddresses: {} },
    });
    expect(ipam.usage("id-web")).toEqual({ ipv4: { allocated: 3, total: 252 }, ipv6: { allocated: 1n, total: (1n << 64n) - 1n } });
    // Dynamic allocation continues after the highest restored address in the range.
    expect(ipam.allocateAddress("id-web", 4)).toBe("10.0.0.6/24");
    expect(ipam.allocateAddress("id-web", 6)).toBe("fd00:1::8/64");
    expectNetdError(() => ipam.allocateAddress("id-web", 4, "10.0.0.3"), "ADDRESS_IN_USE");
    expectNetdError(() => ipam.allocateAddress("id-web", 4, "10.0.0.254"), "ADDRESS_IN_USE", /gateway/);
    expectNetdError(() => ipam.allocateAddress("id-web", 4, "10.0.0.9"), "ADDRESS_IN_USE", /aux-address 'nas'/);
    expectNetdError(
      () => ipam.allocateNetwork({ networkId: "x", networkName: "x", ipv4: { subnet: "10.0.0.128/25" }, ipv6: null, reserveGateway: true }),
      "SUBNET_OVERLAP",
      /overlaps network 'web' \(10\.0\.0\.0\/24\)/,
    );
  });

  it("round-trips what allocateNetwork returned", () => {
    const a = new Ipam({ ula48: ULA });
    const made = a.allocateNetwork({
      networkId: "n",
      networkName: "n",
      ipv4: { subnet: "192.168.7.0/24", auxAddresses: { r: "192.168.7.1" } },
      ipv6: {},
      reserveGateway: true,
    });
    const addrs = [a.allocateAddress("n", 4), a.allocateAddress("n", 6)];
    const b = new Ipam({ ula48: "fd99::/48" });
    b.restoreNetwork("n", "n", made, addrs);
    expect(b.allocation("n")).toEqual(made);
    expect(b.usage("n")).toEqual(a.usage("n"));
    expect(b.allocateAddress("n", 4)).toBe(a.allocateAddress("n", 4));
  });

  it("throws on conflicts and restores nothing", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.allocateNetwork({ networkId: "other", networkName: "other", ipv4: { subnet: "10.0.0.0/16" }, ipv6: null, reserveGateway: true });
    expectNetdError(() => ipam.restoreNetwork("id-web", "web", stored, []), "SUBNET_OVERLAP", /subnet 10\.0\.0\.0\/24 overlaps network 'other'/);
    expect(ipam.allocation("id-web")).toBeUndefined();
    ipam.releaseNetwork("other");

    const bad = (addresses: string[], allocation: IpamStoredAllocation = stored) => () => ipam.restoreNetwork("id-web", "web", allocation, addresses);
    expectNetdError(bad(["10.0.0.3", "10.0.0.3/24"]), "ADDRESS_IN_USE", /address 10\.0\.0\.3 is already in use in network 'web'/);
    expectNetdError(bad(["10.0.0.254"]), "ADDRESS_IN_USE", /is the gateway/);
    expectNetdError(bad(["10.0.0.9"]), "ADDRESS_IN_USE", /aux-address 'nas'/);
    expectNetdError(bad(["10.0.1.3"]), "ADDRESS_OUT_OF_SUBNET");
    expectNetdError(bad(["10.0.0.3/16"]), "INVALID_ADDRESS", /prefix length of subnet 10\.0\.0\.0\/24/);
    expectNetdError(bad(["10.0.0.255"]), "INVALID_ADDRESS", /broadcast/);
    expectNetdError(bad(["garbage"]), "INVALID_ADDRESS", /stored address 'garbage'/);
    expectNetdError(bad(["fd00:1::7"], { ...stored, ipv6: null }), "FAMILY_DISABLED");
    expectNetdError(bad([], { ...stored, ipv4: { subnet: "10.0.0.1/24", gateway: null, ipRange: null } }), "INVALID_SUBNET");
    expectNetdError(bad([], { ...stored, ipv4: { subnet: "10.0.0.0/24", gateway: "10.0.9.1", ipRange: null } }), "GATEWAY_OUT_OF_SUBNET");
    expect(ipam.allocation("id-web")).toBeUndefined();
    // Nothing of the failed restores is left: the subnet and its addresses are free.
    ipam.restoreNetwork("id-web", "web", stored, ["10.0.0.3"]);
    expect(ipam.usage("id-web").ipv4?.allocated).toBe(1);
  });

  it("refuses an id that is already known", () => {
    const ipam = new Ipam({ ula48: ULA });
    ipam.restoreNetwork("id-web", "web", stored, []);
    expectNetdError(() => ipam.restoreNetwork("id-web", "web", stored, []), "NETWORK_EXISTS", /network 'web' \(id-web\)/);
  });
});
