import { describe, expect, it } from "vitest";
import { defaultRoutes, testBed } from "./test-support/harness.js";
import type { TestBed } from "./test-support/harness.js";

const dual = (name: string, n: number, driver = "bridge") => ({
  name,
  driver,
  enableIPv6: true,
  ipam: { ipv4: { subnet: `10.${n}.0.0/24` }, ipv6: { subnet: `fd00:${n}::/64` } },
});
const v4only = (name: string, n: number) => ({ name, ipam: { ipv4: { subnet: `10.${n}.0.0/24` } } });
const v6only = (name: string, n: number, driver = "bridge") => ({ name, driver, enableIPv4: false, enableIPv6: true, ipam: { ipv6: { subnet: `fd00:${n}::/64` } } });

function gatewayNetworks(bed: TestBed, sandbox: string): { gw4: string | null; gw6: string | null } {
  const sb = bed.controller.getSandbox(sandbox);
  const name = (id: string | null) => (id ? bed.controller.getNetwork(bed.controller.getEndpoint(id).networkId).name : null);
  return { gw4: name(sb.gateways.gw4), gw6: name(sb.gateways.gw6) };
}

describe("Controller: networks", () => {
  it("creates and deletes a network through the driver, IPAM and store", async () => {
    const bed = await testBed();
    const net = await bed.controller.createNetwork(dual("web", 1));
    expect(net.ipv4).toMatchObject({ subnet: "10.1.0.0/24", gateway: "10.1.0.1", ipRange: null });
    expect(net.ipv6?.subnet).toBe("fd00:1::/64");
    expect(bed.store.dump().network?.[net.id]).toMatchObject({ name: "web", driver: "bridge" });
    expect((await bed.kernel.links.list("/proc/self/ns/net")).map((l) => l.name)).toContain(`br-${net.id.slice(0, 8)}`);
    await expect(bed.controller.createNetwork(dual("web", 2))).rejects.toMatchObject({ code: "NETWORK_EXISTS" });
    await bed.controller.deleteNetwork("web");
    expect(bed.controller.listNetworks()).toEqual([]);
    expect(bed.store.dump().network).toBeUndefined();
    // The subnet is free again.
    await bed.controller.createNetwork(dual("web2", 1));
  });

  it("finds networks by id, name and unique id prefix", async () => {
    const bed = await testBed();
    const net = await bed.controller.createNetwork(v4only("a", 1));
    expect(bed.controller.getNetwork(net.id).name).toBe("a");
    expect(bed.controller.getNetwork(net.id.slice(0, 5)).name).toBe("a");
    expect(() => bed.controller.getNetwork("nope")).toThrow(/network 'nope' not found/);
  });

  it("rejects bad input before anything happens, naming the value", async () => {
    const bed = await testBed();
    const before = { store: bed.store.dump(), kernel: bed.kernel.snapshot() };
    await expect(bed.controller.createNetwork({ name: "bad name" })).rejects.toThrow(/invalid network name "bad name"/);
    await expect(bed.controller.createNetwork({ name: "x", driver: "nope" })).rejects.toThrow(/unknown driver 'nope'; use one of: bridge, ipvlan/);
    await expect(bed.controller.createNetwork({ name: "x", enableIPv4: false })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(bed.controller.createNetwork({ name: "x", options: { mtu: 1500 as unknown as string } })).rejects.toThrow(/option 'mtu' must be a string/);
    await expect(bed.controller.createNetwork({ name: "x", ipam: { ipv4: { subnet: "10.0.0.0/24", gateway: "10.9.0.1" } } })).rejects.toMatchObject({ code: "GATEWAY_OUT_OF_SUBNET" });
    expect(bed.journal.calls).toEqual([]);
    expect(bed.store.dump()).toEqual(before.store);
    expect(bed.kernel.snapshot()).toEqual(before.kernel);
  });

  it("releases the IPAM pool when the driver fails to create the network", async () => {
    const bed = await testBed({ failBridge: (hook, d) => hook === "createNetwork" && d.network === "boom" });
    await expect(bed.controller.createNetwork(v4only("boom", 1))).rejects.toThrow(/failed to create network 'boom' with driver 'bridge': bridge: injected failure/);
    expect(bed.controller.listNetworks()).toEqual([]);
    expect(Object.keys(bed.store.dump())).toEqual(["meta"]);
    await bed.controller.createNetwork(v4only("ok", 1));
  });

  it("refuses to delete a network that has endpoints", async () => {
    const bed = await testBed();
    await bed.controller.createNetwork(v4only("n", 1));
    const sb = await bed.controller.createSandbox({ name: "c1" });
    await bed.controller.connect("n", sb.id);
    await expect(bed.controller.deleteNetwork("n")).rejects.toMatchObject({ code: "NETWORK_HAS_ENDPOINTS", category: "forbidden" });
    await bed.controller.disconnect("n", "c1");
    await bed.controller.deleteNetwork("n");
  });
});

describe("Controller: gateway selection through join and leave", () => {
  it("TestConnectWithPriority: the default route follows gw-priority, then network name", async () => {
    const bed = await testBed();
    for (let i = 1; i <= 5; i++) await bed.controller.createNetwork(dual(`testnet${i}`, i));
    const sb = await bed.controller.createSandbox({ name: "ctr" });
    const routesVia = async () => defaultRoutes(bed.kernel, sb.netns);
    await bed.controller.connect("testnet1", "ctr");
    expect(await routesVia()).toEqual(["v4 via 10.1.0.1", "v6 via fd00:1::1"]);
    await bed.controller.connect("testnet5", "ctr", { gwPriority: -100 });
    expect(gatewayNetworks(bed, "ctr")).toEqual({ gw4: "testnet1", gw6: "testnet1" });
    await bed.controller.connect("testnet2", "ctr", { gwPriority: 100 });
    expect(gatewayNetworks(bed, "ctr")).toEqual({ gw4: "testnet2", gw6: "testnet2" });
    expect(await routesVia()).toEqual(["v4 via 10.2.0.1", "v6 via fd00:2::1"]);
    await bed.controller.connect("testnet3", "ctr", { gwPriority: 10 });
    await bed.controller.connect("testnet4", "ctr", { gwPriority: 10 });
    expect(gatewayNetworks(bed, "ctr")).toEqual({ gw4: "testnet2", gw6: "testnet2" });
    await bed.controller.disconnect("testnet2", "ctr");
    expect(gatewayNetworks(bed, "ctr")).toEqual({ gw4: "testnet3", gw6: "testnet3" });
    expect(await routesVia()).toEqual(["v4 via 10.3.0.1", "v6 via fd00:3::1"]);
    await bed.controller.disconnect("testnet3", "ctr");
    expect(await routesVia()).toEqual(["v4 via 10.4.0.1", "v6 via fd00:4::1"]);
    await bed.controller.disconnect("testnet4", "ctr");
    expect(await routesVia()).toEqual(["v4 via 10.1.0.1", "v6 via fd00:1::1"]);
    expect(bed.controller.listEndpoints({ sandboxId: sb.id }).map((e) => e.gwPriority).sort()).toEqual([-100, 0]);
  });

  it("TestGatewaySelection: which host bindings go to which network at each step", async () => {
    const bed = await testBed();
    await bed.controller.createNetwork(v4only("net4", 4));
    await bed.controller.createNetwork(v6only("net6", 6));
    await bed.controller.createNetwork(dual("net46", 46));
    await bed.controller.createNetwork(v6only("ipv6vlan", 7, "ipvlan"));
    await bed.controller.createSandbox({ name: "ctr", portBindings: [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 }] });
    const bindings = () => Object.fromEntries([...bed.journal.hostPorts].sort());

    await bed.controller.connect("net4", "ctr");
    // 1. IPv4 gateway only: the IPv6 host address is served by 6-to-4 to the IPv4 container address.
    expect(bindings()).toEqual({ "0.0.0.0:8080/tcp": "net4:v4", "[::]:8080/tcp": "net4:v4" });
    await bed.controller.connect("net6", "ctr");
    // 2. An IPv6 gateway appears: only the 6-to-4 binding moves.
    expect(bindings()).toEqual({ "0.0.0.0:8080/tcp": "net4:v4", "[::]:8080/tcp": "net6:v6" });
    await bed.controller.disconnect("net6", "ctr");
    // 3. Back to 6-to-4 on net4.
    expect(bindings()).toEqual({ "0.0.0.0:8080/tcp": "net4:v4", "[::]:8080/tcp": "net4:v4" });
    await bed.controller.connect("net46", "ctr");
    // 4. A dual-stack network sorts first: both bindings move to it.
    expect(bindings()).toEqual({ "0.0.0.0:8080/tcp": "net46:v4", "[::]:8080/tcp": "net46:v6" });
    await bed.controller.disconnect("net46", "ctr");
    // 5. Back to net4 with 6-to-4.
    expect(bindings()).toEqual({ "0.0.0.0:8080/tcp": "net4:v4", "[::]:8080/tcp": "net4:v4" });
    await bed.controller.connect("ipv6vlan", "ctr");
    // 6. An IPv6-only ipvlan becomes the IPv6 gateway: it publishes nothing but ends 6-to-4.
    expect(bindings()).toEqual({ "0.0.0.0:8080/tcp": "net4:v4" });
    const last = bed.ipvlan.events.at(-1)!;
    expect(last).toMatchObject({ phase: "acquire" });
    expect(bed.bridge.events.at(-1)!.gw6).toBe(last.gw6);
  });

  it("delivers release to every driver before acquire to any (a host port moves between drivers)", async () => {
    const bed = await testBed();
    // The ipvlan stand-in forces gateways and has higher priority: no port moves, but ordering is visible.
    await bed.controller.createNetwork(v4only("a", 1));
    await bed.controller.createNetwork(dual("b", 2, "ipvlan"));
    await bed.controller.createSandbox({ name: "ctr", portBindings: [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 }] });
    await bed.controller.connect("a", "ctr");
    bed.journal.calls.length = 0;
    await bed.controller.connect("b", "ctr", { gwPriority: 5 });
    const phases = bed.journal.calls.filter((c) => /:(release|acquire):/.test(c)).map((c) => c.split(":").slice(0, 2).join(":"));
    expect(phases).toEqual(["bridge:release", "ipvlan:release", "bridge:acquire", "ipvlan:acquire"]);
    expect(bed.journal.hostPorts.size).toBe(0);
  });

  it("does not re-send an identical event to a driver whose view did not change", async () => {
    const bed = await testBed();
    await bed.controller.createNetwork(dual("main", 1));
    await bed.controller.createNetwork({ ...v4only("side", 2), driver: "ipvlan", internal: true });
    await bed.controller.createSandbox({ name: "ctr" });
    await bed.controller.connect("main", "ctr");
    const bridgeEvents = bed.bridge.events.length;
    await bed.controller.connect("side", "ctr");
    // The internal ipvlan endpoint is no gateway: the bridge's view is unchanged.
    expect(bed.bridge.events.length).toBe(bridgeEvents);
    expect(bed.ipvlan.events.map((e) => e.phase)).toEqual(["release", "acquire"]);
    await bed.controller.disconnect("side", "ctr");
    expect(bed.bridge.events.length).toBe(bridgeEvents);
  });
});
