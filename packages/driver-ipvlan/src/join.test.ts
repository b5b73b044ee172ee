import { isNetdError } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { defaults, endpoint, events, network, sandbox, withGateways, world, type World } from "../test/support/context.js";
import { createIpvlanDriver } from "./driver.js";
import type { Driver, EndpointInfo, NetworkInfo, SandboxInfo } from "@netd/driverapi";

async function joined(w: World, d: Driver, n: NetworkInfo, e: EndpointInfo, sb: SandboxInfo) {
  await d.createEndpoint!(w.ctx, n, e);
  return d.join(w.ctx, n, e, sb);
}

async function gateway(w: World, d: Driver, sb: SandboxInfo, gw4: string | null, gw6: string | null, eps: EndpointInfo[]): Promise<void> {
  for (const ev of events(sb, gw4, gw6, eps)) await d.onGatewayChange!(w.ctx, ev);
}

describe("ipvlan join and leave", () => {
  it("creates the link directly inside the sandbox with mode, flag, addresses, and reports L2 gateways", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = withGateways(network(1, { parent: "eth0", ipvlan_flag: "private" }));
    await d.createNetwork(w.ctx, n);
    const sb = await sandbox(w, "c1");
    const e = endpoint(n, "e1", 2);
    const r = await joined(w, d, n, e, sb);
    expect(r).toEqual({ interfaceName: "eth0", gateway4: "10.44.1.254", gateway6: "fd00:44:1::254", forceGateway4: false, forceGateway6: false });
    expect(w.kernel.callsTo("links.addChild").at(-1)!.args).toEqual([w.kernel.hostNetns, { name: "eth0", parent: "eth0", kind: "ipvlan", mode: "l2", flag: "private", netns: sb.netns }]);
    const ns = w.kernel.snapshot().namespaces[sb.netns]!;
    expect(ns.links.find((l) => l.name === "eth0")).toMatchObject({ kind: "ipvlan", up: true, mode: "l2", flag: "private" });
    expect(ns.addresses.map((a) => a.address)).toEqual(["10.44.1.2/24", "fd00:44:1::2/64"]);
    await d.leave(w.ctx, n, e, sb);
    expect(w.kernel.snapshot().namespaces[sb.netns]!.links.map((l) => l.name)).toEqual(["lo"]);
    expect([...w.ctx.state.data.keys()]).toEqual([`net/${n.id}`]);
  });

  it("L2 without gateways: forced gateways (external connectivity), no default route even when selected", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = network(1, { parent: "eth0" });
    await d.createNetwork(w.ctx, n);
    const sb = await sandbox(w, "c1");
    const e = endpoint(n, "e1", 2);
    expect(await joined(w, d, n, e, sb)).toMatchObject({ gateway4: null, gateway6: null, forceGateway4: true, forceGateway6: true });
    await gateway(w, d, sb, "e1", "e1", [e]);
    expect(defaults(w, sb.netns)).toEqual([]);
  });

  it("L2 with a gateway installs `default via` only while selected", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = withGateways(network(1, { parent: "eth0" }));
    await d.createNetwork(w.ctx, n);
    const sb = await sandbox(w, "c1");
    const e = endpoint(n, "e1", 2);
    await joined(w, d, n, e, sb);
    await gateway(w, d, sb, "e1", null, [e]);
    expect(defaults(w, sb.netns)).toEqual(["4 default via 10.44.1.254 dev eth0"]);
    await gateway(w, d, sb, "other", "e1", [e]);
    expect(defaults(w, sb.netns)).toEqual(["6 default via fd00:44:1::254 dev eth0"]);
  });

  it("L3: `default dev eth0` per family only while the endpoint is the gateway; gateway addresses are ignored", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = withGateways(network(1, { parent: "eth0", ipvlan_mode: "l3" }));
    await d.createNetwork(w.ctx, n);
    const sb = await sandbox(w, "c1");
    const e = endpoint(n, "e1", 2);
    expect(await joined(w, d, n, e, sb)).toEqual({ interfaceName: "eth0", gateway4: null, gateway6: null, forceGateway4: true, forceGateway6: true });
    expect(defaults(w, sb.netns)).toEqual([]);
    await gateway(w, d, sb, "e1", "e1", [e]);
    expect(defaults(w, sb.netns)).toEqual(["4 default dev eth0", "6 default dev eth0"]);
    const added = w.kernel.callsTo("routes.add").length;
    await gateway(w, d, sb, "e1", "e1", [e]);
    expect(w.kernel.callsTo("routes.add")).toHaveLength(added);
    await gateway(w, d, sb, "bridge-ep", "e1", [e]);
    expect(defaults(w, sb.netns)).toEqual(["6 default dev eth0"]);
    await gateway(w, d, sb, "bridge-ep", "bridge-ep", [e]);
    expect(defaults(w, sb.netns)).toEqual([]);
    await gateway(w, d, sb, "e1", null, [e]);
    expect(defaults(w, sb.netns)).toEqual(["4 default dev eth0"]);
  });

  it("internal networks and networks without parent report no gateway at all", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const a = network(1, { ipvlan_mode: "l3" });
    const b = withGateways(network(2, { parent: "eth0" }, { internal: true }));
    await d.createNetwork(w.ctx, a);
    await d.createNetwork(w.ctx, b);
    const sb = await sandbox(w, "c1");
    const ea = endpoint(a, "ea", 2);
    const eb = endpoint(b, "eb", 2);
    expect(await joined(w, d, a, ea, sb)).toEqual({ interfaceName: "eth0", gateway4: null, gateway6: null, forceGateway4: false, forceGateway6: false });
    expect(await joined(w, d, b, eb, sb)).toEqual({ interfaceName: "eth1", gateway4: null, gateway6: null, forceGateway4: false, forceGateway6: false });
    await gateway(w, d, sb, "ea", "eb", [ea, eb]);
    expect(defaults(w, sb.netns)).toEqual([]);
  });

  it("honours a custom interface name and refuses one that is taken", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = network(1, { parent: "eth0" });
    await d.createNetwork(w.ctx, n);
    const sb = await sandbox(w, "c1");
    const e = endpoint(n, "e1", 2, { options: { "com.docker.network.endpoint.ifname": "foo0" } });
    expect((await joined(w, d, n, e, sb)).interfaceName).toBe("foo0");
    const e2 = endpoint(n, "e2", 3, { options: { "com.docker.network.endpoint.ifname": "foo0" } });
    const before = w.kernel.snapshot();
    const err = await d.join(w.ctx, n, e2, sb).catch((x: unknown) => x);
    expect(isNetdError(err) && err.code).toBe("IFNAME_CONFLICT");
    expect(w.kernel.snapshot()).toEqual(before);
  });

  it("refuses a custom MAC with the reference's message, and bad ifnames", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = network(1, { parent: "eth0" });
    const e = endpoint(n, "e1", 2, { mac: "02:42:00:00:00:01" });
    await expect(d.createEndpoint!(w.ctx, n, e)).rejects.toMatchObject({ code: "CUSTOM_MAC", category: "invalid", message: expect.stringMatching(/^ipvlan interfaces do not support custom mac address assignment \(got 02:42:00:00:00:01\); remove the MAC/) as unknown });
    const bad = endpoint(n, "e1", 2, { options: { "com.docker.network.endpoint.ifname": "way-too-long-ifname" } });
    await expect(d.createEndpoint!(w.ctx, n, bad)).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringContaining("'way-too-long-ifname'") as unknown });
    expect(w.kernel.calls).toEqual([]);
  });

  it("undoes the link when adding an address fails, and leave after an interrupted join finds the link by address", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = network(1, { parent: "eth0" });
    await d.createNetwork(w.ctx, n);
    const sb = await sandbox(w, "c1");
    w.kernel.failNext("addresses.add");
    await expect(d.join(w.ctx, n, endpoint(n, "e1", 2), sb)).rejects.toThrow(/injected/);
    expect(w.kernel.snapshot().namespaces[sb.netns]!.links.map((l) => l.name)).toEqual(["lo"]);
    // A crash after the addresses: a new driver (no memory, no committed state) still finds eth0.
    await w.kernel.links.addChild(w.kernel.hostNetns, { name: "eth0", parent: "eth0", kind: "ipvlan", netns: sb.netns });
    await w.kernel.addresses.add(sb.netns, "eth0", "10.44.1.2/24");
    await createIpvlanDriver().leave(w.ctx, n, endpoint(n, "e1", 2), sb);
    expect(w.kernel.snapshot().namespaces[sb.netns]!.links.map((l) => l.name)).toEqual(["lo"]);
    await d.leave(w.ctx, n, endpoint(n, "e1", 2), { ...sb, netns: "/run/netns/gone" });
  });

  it("fails join with KERNEL_FEATURE_MISSING on a kernel without ipvlan", async () => {
    const w = world({ missingLinkKinds: ["ipvlan"] });
    const n = network(1, { parent: "eth0" });
    const sb = await sandbox(w, "c1");
    await expect(createIpvlanDriver().join(w.ctx, n, endpoint(n, "e1", 2), sb)).rejects.toMatchObject({ code: "KERNEL_FEATURE_MISSING" });
  });
});

describe("ipvlan restore", () => {
  it("reads back the interface and installed routes, so the replay is a no-op and a later change removes the route", async () => {
    const w = world();
    const d1 = createIpvlanDriver();
    const n = network(1, { parent: "eth0", ipvlan_mode: "l3" });
    await d1.createNetwork(w.ctx, n);
    const sb = await sandbox(w, "c1");
    const e = endpoint(n, "e1", 2);
    await joined(w, d1, n, e, sb);
    await gateway(w, d1, sb, "e1", "e1", [e]);
    const d2 = createIpvlanDriver();
    await d2.restore!(w.ctx, { networks: [n], endpoints: [{ endpoint: e, sandbox: sb }] });
    w.kernel.clearCalls();
    await gateway(w, d2, sb, "e1", "e1", [e]);
    expect(w.kernel.calls).toEqual([]);
    await gateway(w, d2, sb, "bridge-ep", null, [e]);
    expect(defaults(w, sb.netns)).toEqual([]);
  });

  it("drops state of networks and endpoints the snapshot no longer has", async () => {
    const w = world();
    await w.ctx.state.put("net/gone", { parent: "eth1", createdVlan: false });
    await w.ctx.state.put("ep/gone", { ifname: "eth0" });
    await createIpvlanDriver().restore!(w.ctx, { networks: [], endpoints: [] });
    expect(w.ctx.state.data.size).toBe(0);
  });
});
