import type { NetworkInfo } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { NETWORK_OPTIONS, parseEndpointOptions, parseNetworkConfig } from "./options.js";

const info = (over: Partial<NetworkInfo> = {}): NetworkInfo => ({
  id: "0123456789abcdef0123",
  name: "web",
  driver: "bridge",
  internal: false,
  ipv4: { subnet: "10.31.9.0/24", gateway: "10.31.9.1", ipRange: null },
  ipv6: { subnet: "fd00:31:9::/64", gateway: "fd00:31:9::1", ipRange: null },
  options: {},
  labels: {},
  ...over,
});

const fail = (over: Partial<NetworkInfo>): { code: string; category?: string; message: string } => {
  try {
    parseNetworkConfig(info(over));
  } catch (e) {
    return e as { code: string; category?: string; message: string };
  }
  throw new Error("expected an error");
};

describe("parseNetworkConfig", () => {
  it("gives Docker's defaults", () => {
    const c = parseNetworkConfig(info());
    expect(c).toMatchObject({ bridgeName: "br-0123456789ab", icc: true, masquerade: true, mode4: "nat", mode6: "nat", inhibitIpv4: false, mtu: null, hostIpv4: null, hostIpv6: null, defaultBindingIp: null, ifPrefix: "eth" });
    expect(c).toMatchObject({ subnet4: "10.31.9.0/24", gateway4: "10.31.9.1", subnet6: "fd00:31:9::/64", gateway6: "fd00:31:9::1" });
  });

  it("parses every option", () => {
    const c = parseNetworkConfig(
      info({
        internal: true,
        options: {
          [NETWORK_OPTIONS.bridgeName]: "br-web",
          [NETWORK_OPTIONS.enableIcc]: "false",
          [NETWORK_OPTIONS.enableIpMasquerade]: "0",
          [NETWORK_OPTIONS.gatewayModeIpv4]: "isolated",
          [NETWORK_OPTIONS.gatewayModeIpv6]: "routed",
          [NETWORK_OPTIONS.inhibitIpv4]: "True",
          [NETWORK_OPTIONS.hostBindingIpv4]: "127.0.0.1",
          [NETWORK_OPTIONS.hostIpv4]: "198.51.100.7",
          [NETWORK_OPTIONS.hostIpv6]: "2001:db8::7",
          [NETWORK_OPTIONS.containerIfacePrefix]: "net",
          [NETWORK_OPTIONS.mtu]: "1400",
        },
      }),
    );
    expect(c).toMatchObject({ bridgeName: "br-web", icc: false, masquerade: false, mode4: "isolated", mode6: "routed", inhibitIpv4: true, defaultBindingIp: "127.0.0.1", hostIpv4: "198.51.100.7", hostIpv6: "2001:db8::7", ifPrefix: "net", mtu: 1400 });
  });

  it("names an unknown key and lists the valid ones", () => {
    const e = fail({ options: { "com.docker.network.bridge.enable_icc2": "true" } });
    expect(e.code).toBe("UNKNOWN_OPTION");
    expect(e.message).toContain("'com.docker.network.bridge.enable_icc2'");
    expect(e.message).toContain("com.docker.network.bridge.enable_icc,");
    expect(e.message).toContain(NETWORK_OPTIONS.mtu);
  });

  it.each([
    [NETWORK_OPTIONS.gatewayModeIpv4, "nat6"],
    [NETWORK_OPTIONS.enableIcc, "yes"],
    [NETWORK_OPTIONS.mtu, "67"],
    [NETWORK_OPTIONS.mtu, "65536"],
    [NETWORK_OPTIONS.mtu, "15x"],
    [NETWORK_OPTIONS.hostIpv4, "2001:db8::1"],
    [NETWORK_OPTIONS.hostIpv6, "10.0.0.1"],
    [NETWORK_OPTIONS.hostBindingIpv4, "localhost"],
    [NETWORK_OPTIONS.containerIfacePrefix, "0eth"],
  ])("rejects %s=%s naming key and value", (key, value) => {
    const e = fail({ options: { [key]: value } });
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.message).toContain(key);
    expect(e.message).toContain(`'${value}'`);
  });

  it.each(["br:bad", "a-very-long-bridge-name", "br%d", "br;x", ".."])("rejects bridge name %s with INVALID_INTERFACE_NAME", (value) => {
    const e = fail({ options: { [NETWORK_OPTIONS.bridgeName]: value } });
    expect(e.code).toBe("INVALID_INTERFACE_NAME");
    expect(e.category).toBe("invalid");
    expect(e.message).toContain(NETWORK_OPTIONS.bridgeName);
    expect(e.message).toContain(JSON.stringify(value));
  });

  it("accepts MTU bounds", () => {
    expect(parseNetworkConfig(info({ options: { [NETWORK_OPTIONS.mtu]: "68" } })).mtu).toBe(68);
    expect(parseNetworkConfig(info({ options: { [NETWORK_OPTIONS.mtu]: "65535" } })).mtu).toBe(65535);
  });

  it("refuses isolated on a non-internal network with the reference's message", () => {
    const e = fail({ options: { [NETWORK_OPTIONS.gatewayModeIpv6]: "isolated" } });
    expect(e.message).toContain("gateway mode 'isolated' can only be used for an internal network");
    expect(e.message).toContain(NETWORK_OPTIONS.gatewayModeIpv6);
  });

  it("requires a gateway where one is used, not for internal or inhibited IPv4", () => {
    expect(fail({ ipv4: { subnet: "10.31.9.0/24", gateway: null, ipRange: null } }).code).toBe("INVALID_NETWORK");
    expect(parseNetworkConfig(info({ internal: true, ipv4: { subnet: "10.31.9.0/24", gateway: null, ipRange: null } })).gateway4).toBeNull();
    expect(parseNetworkConfig(info({ ipv4: { subnet: "10.31.9.0/24", gateway: null, ipRange: null }, options: { [NETWORK_OPTIONS.inhibitIpv4]: "true" } })).inhibitIpv4).toBe(true);
    expect(fail({ ipv4: null, ipv6: null }).code).toBe("INVALID_NETWORK");
    expect(fail({ ipv4: { subnet: "0.0.0.0/0", gateway: "0.0.0.1", ipRange: null } }).code).toBe("INVALID_NETWORK");
  });
});

describe("parseEndpointOptions", () => {
  const ep = (options: Record<string, string>) => ({ id: "e1", networkId: "n1", ipv4: null, ipv6: null, mac: null, options });
  it("accepts ifname and rejects bad names and unknown keys", () => {
    expect(parseEndpointOptions(ep({})).ifname).toBeNull();
    expect(parseEndpointOptions(ep({ "com.docker.network.endpoint.ifname": "foobar" })).ifname).toBe("foobar");
    expect(() => parseEndpointOptions(ep({ "com.docker.network.endpoint.ifname": "a/b" }))).toThrow(/"a\/b": it contains "\/"/);
    expect(() => parseEndpointOptions(ep({ "com.docker.network.endpoint.ifname": "e;rm -rf" }))).toThrow(/INVALID|invalid value/);
    expect(() => parseEndpointOptions(ep({ "com.docker.network.endpoint.ifname": "eth%d" }))).toThrow(/contains "%"/);
    expect(() => parseEndpointOptions(ep({ "com.docker.network.endpoint.ifname": "sixteen-chars-xx" }))).toThrow(/INVALID|invalid value/);
    expect(() => parseEndpointOptions(ep({ "com.docker.network.endpoint.sysctls": "x" }))).toThrow(/unknown endpoint option 'com.docker.network.endpoint.sysctls'.*com.docker.network.endpoint.ifname/);
  });
});
