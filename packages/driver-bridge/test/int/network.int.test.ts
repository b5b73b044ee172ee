/**
 * Bridge networks in the kernel: device properties, forwarding enabled by the driver, and
 * bad input refused with a clear error while the kernel stays exactly as before.
 */
import { useTestEnv } from "@netd/testing";
import { describe, expect, it } from "vitest";
import { linkState, openWorld, type World } from "../support/world.js";

async function kernelState(w: World): Promise<unknown> {
  return { links: await linkState(w.host), nft: await w.host.nftJson(["list", "table", "inet", "netd"]) };
}

describe("bridge networks", () => {
  const env = useTestEnv("bridge-network");

  it("creates the bridge with MTU and gateway addresses, the container end with the same MTU, and enables forwarding", async () => {
    const w = await openWorld(env(), { forwarding: false });
    expect((await w.host.exec(["sysctl", "-n", "net.ipv4.ip_forward"])).stdout.trim()).toBe("0");
    await w.agent.call("createNetwork", {
      name: "mtu",
      enableIPv6: true,
      ipam: { ipv4: { subnet: "10.31.40.0/24" }, ipv6: { subnet: "fd00:31:40::/64" } },
      options: { "com.docker.network.driver.mtu": "1400", "com.docker.network.bridge.name": "br-mtu", "com.docker.network.container_iface_prefix": "net" },
    });
    expect((await w.host.exec(["sysctl", "-n", "net.ipv4.ip_forward"])).stdout.trim()).toBe("1");
    expect((await w.host.exec(["sysctl", "-n", "net.ipv6.conf.all.forwarding"])).stdout.trim()).toBe("1");
    const br = ((await w.host.ipJson(["addr", "show", "dev", "br-mtu"])) as Array<{ mtu: number; addr_info: Array<{ local: string; prefixlen: number; scope: string }> }>)[0]!;
    expect(br.mtu).toBe(1400);
    expect(br.addr_info.filter((a) => a.scope === "global").map((a) => `${a.local}/${a.prefixlen}`)).toEqual(["10.31.40.1/24", "fd00:31:40::1/64"]);
    const c = await w.sandbox("c");
    await w.agent.call("connect", "mtu", "c", { macAddress: "02:42:0a:1f:28:09", driverOpts: {} });
    const eth = ((await c.ns.ipJson(["addr", "show", "dev", "net0"])) as Array<{ mtu: number; address: string; operstate: string; addr_info: Array<{ local: string; scope: string }> }>)[0]!;
    expect(eth).toMatchObject({ mtu: 1400, address: "02:42:0a:1f:28:09" });
    expect(eth.addr_info.filter((a) => a.scope === "global").map((a) => a.local)).toEqual(["10.31.40.2", "fd00:31:40::2"]);
    const veths = (await w.host.ipJson(["-d", "link", "show", "master", "br-mtu"])) as Array<{ ifname: string; mtu: number; linkinfo: { info_slave_data?: { hairpin?: boolean } } }>;
    expect(veths).toHaveLength(1);
    expect(veths[0]!.ifname).toMatch(/^veth[0-9a-f]{7}$/);
    expect(veths[0]!.mtu).toBe(1400);
    expect(veths[0]!.linkinfo.info_slave_data?.hairpin).toBe(true);
    // Delete: disconnect, then the network; the bridge and the nft table are gone.
    await w.agent.call("disconnect", "mtu", "c");
    await w.agent.call("deleteNetwork", "mtu");
    expect((await w.host.exec(["ip", "link", "show", "br-mtu"])).code).not.toBe(0);
    expect(await w.host.nftJson(["list", "table", "inet", "netd"])).toBeNull();
    await w.agent.call("close");
  });

  it("refuses bad network options and name clashes with a clear error, leaving the kernel as it was", async () => {
    const w = await openWorld(env());
    await w.agent.call("createNetwork", { name: "keep", ipam: { ipv4: { subnet: "10.31.41.0/24" } }, options: { "com.docker.network.bridge.name": "br-keep" } });
    await w.hostRun(["ip", "link", "add", "br-taken", "type", "veth", "peer", "name", "br-taken-p"]);
    const before = await kernelState(w);
    const cases: Array<[Record<string, unknown>, RegExp, string]> = [
      [{ options: { "com.docker.network.bridge.enable_icc_typo": "true" } }, /unknown network option 'com.docker.network.bridge.enable_icc_typo'.*valid options: .*com.docker.network.bridge.enable_icc/, "UNKNOWN_OPTION"],
      [{ options: { "com.docker.network.bridge.gateway_mode_ipv4": "natted" } }, /gateway_mode_ipv4 has invalid value 'natted'.*nat, nat-unprotected, routed, isolated/, "INVALID_OPTION"],
      [{ options: { "com.docker.network.bridge.gateway_mode_ipv6": "isolated" }, enableIPv6: true }, /gateway mode 'isolated' can only be used for an internal network/, "INVALID_OPTION"],
      [{ options: { "com.docker.network.driver.mtu": "65536" } }, /com.docker.network.driver.mtu has invalid value '65536'.*68 and 65535/, "INVALID_OPTION"],
      [{ options: { "com.docker.network.driver.mtu": "10" } }, /invalid value '10'/, "INVALID_OPTION"],
      [{ options: { "com.docker.network.bridge.name": "br-taken" } }, /a link named 'br-taken' \(kind 'veth'\) already exists/, "BRIDGE_NAME_CONFLICT"],
      [{ options: { "com.docker.network.bridge.name": "br-keep" } }, /bridge name 'br-keep' is already used by network 'keep'/, "BRIDGE_NAME_CONFLICT"],
    ];
    for (const [req, re, code] of cases) {
      const err = await w.agent.call("createNetwork", { name: "bad", ipam: { ipv4: { subnet: "10.31.42.0/24" } }, ...req }).then(
        () => null,
        (e: unknown) => e as { message: string; code: string },
      );
      expect(err?.message).toMatch(re);
      expect(err?.code).toBe(code);
      expect(await kernelState(w)).toEqual(before);
    }
    await w.agent.call("close");
  });

  it("refuses an interface-name clash in the sandbox with a clear error, leaving the kernel as it was", async () => {
    const w = await openWorld(env());
    await w.agent.call("createNetwork", { name: "a", ipam: { ipv4: { subnet: "10.31.43.0/24" } } });
    await w.agent.call("createNetwork", { name: "b", ipam: { ipv4: { subnet: "10.31.44.0/24" } } });
    const c = await w.sandbox("c");
    await w.agent.call("connect", "a", "c", { driverOpts: { "com.docker.network.endpoint.ifname": "foobar" } });
    const before = { host: await kernelState(w), ctr: await linkState(c.ns) };
    const err = await w.agent.call("connect", "b", "c", { driverOpts: { "com.docker.network.endpoint.ifname": "foobar" } }).then(
      () => null,
      (e: unknown) => e as { message: string; code: string },
    );
    expect(err?.code).toBe("IFNAME_CONFLICT");
    expect(err?.message).toMatch(/interface 'foobar' already exists in sandbox namespace/);
    expect({ host: await kernelState(w), ctr: await linkState(c.ns) }).toEqual(before);
    const bad = await w.agent.call("connect", "b", "c", { driverOpts: { "com.docker.network.endpoint.ifnam": "x" } }).then(
      () => null,
      (e: unknown) => e as { message: string },
    );
    expect(bad?.message).toMatch(/unknown endpoint option 'com.docker.network.endpoint.ifnam'/);
    expect({ host: await kernelState(w), ctr: await linkState(c.ns) }).toEqual(before);
    expect(await w.agent.call<unknown[]>("endpoints", { sandboxId: c.id })).toHaveLength(1);
    await w.agent.call("close");
  });
});
