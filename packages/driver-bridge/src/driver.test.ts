import type { DriverContext, DriverStateStore, EndpointInfo, GatewayChange, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { createPortAllocator } from "@netd/portallocator";
import { describe, expect, it } from "vitest";
import { createBridgeDriver } from "./driver.js";

function memoryState(): DriverStateStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(k: string) => Promise.resolve(data.get(k) as T | undefined),
    put: (k, v) => Promise.resolve(void data.set(k, structuredClone(v))),
    delete: (k) => Promise.resolve(void data.delete(k)),
    list: <T>(prefix: string) => Promise.resolve([...data].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value: value as T }))),
  };
}

const logs: string[] = [];
function context(kernel: FakeKernel, state = memoryState()): DriverContext {
  return {
    kernel,
    hostNetns: kernel.hostNetns,
    ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }),
    log: { debug() {}, info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    state,
  };
}

const net = (over: Partial<NetworkInfo> = {}): NetworkInfo => ({
  id: "aaaabbbbccccdddd0001",
  name: "n1",
  driver: "bridge",
  internal: false,
  ipv4: { subnet: "10.31.1.0/24", gateway: "10.31.1.1", ipRange: null },
  ipv6: { subnet: "fd00:31:1::/64", gateway: "fd00:31:1::1", ipRange: null },
  options: {},
  labels: {},
  ...over,
});
const ep = (id: string, host: number, over: Partial<EndpointInfo> = {}): EndpointInfo => ({
  id,
  networkId: "aaaabbbbccccdddd0001",
  ipv4: `10.31.1.${host}/24`,
  ipv6: `fd00:31:1::${host}/64`,
  mac: null,
  options: {},
  ...over,
});
const sandbox = (netns: string, id = "sb1"): SandboxInfo => ({ id, name: id, netns, portBindings: [], exposedPorts: [] });
const change = (sb: SandboxInfo, phase: "release" | "acquire", gw4: string | null, gw6: string | null, endpoints: EndpointInfo[]): GatewayChange => ({
  phase,
  sandbox: sb,
  gw4,
  gw6,
  endpoints,
});

describe("bridge driver: networks", () => {
  it("creates the bridge with MTU, addresses, sysctls and the nft table; delete removes it all", async () => {
    const kernel = createFakeKernel();
    const ctx = context(kernel);
    const d = createBridgeDriver({ userlandProxy: false });
    const before = kernel.snapshot();
    await d.createNetwork(ctx, net({ options: { "com.docker.network.driver.mtu": "1400", "com.docker.network.bridge.name": "br-t1" } }));
    const host = kernel.snapshot().namespaces[kernel.hostNetns]!;
    expect(host.links.find((l) => l.name === "br-t1")).toMatchObject({ kind: "bridge", mtu: 1400, up: true });
    expect(host.addresses).toEqual([
      { link: "br-t1", address: "10.31.1.1/24", family: 4 },
      { link: "br-t1", address: "fd00:31:1::1/64", family: 6 },
    ]);
    expect(host.sysctls).toMatchObject({ "net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1", "net.ipv4.conf.br-t1.route_localnet": "1", "net.bridge.bridge-nf-call-iptables": "1" });
    expect(host.nft["inet netd"]?.sets.bridge_fwd_to?.elements).toEqual(['"br-t1" : jump fwd_to__br-t1']);
    expect(logs).toContain("enabled net.ipv4.ip_forward in the host namespace");
    await d.deleteNetwork(ctx, net());
    const after = kernel.snapshot().namespaces[kernel.hostNetns]!;
    expect({ ...after, sysctls: {} }).toEqual({ ...before.namespaces[kernel.hostNetns]!, sysctls: {} });
    await d.deleteNetwork(ctx, net());
  });

  it("puts no address on an isolated bridge and disables IPv6 there", async () => {
    const kernel = createFakeKernel();
    const ctx = context(kernel);
    const d = createBridgeDriver({ userlandProxy: false });
    await d.createNetwork(ctx, net({ internal: true, options: { "com.docker.network.bridge.gateway_mode_ipv4": "isolated", "com.docker.network.bridge.gateway_mode_ipv6": "isolated" } }));
    const host = kernel.snapshot().namespaces[kernel.hostNetns]!;
    expect(host.addresses).toEqual([]);
    expect(host.sysctls["net.ipv6.conf.br-aaaabbbbcccc.disable_ipv6"]).toBe("1");
    // Internal: forwarding is not needed, so it is not touched.
    expect(host.sysctls["net.ipv4.ip_forward"]).toBeUndefined();
  });

  it("validates before any kernel change: unknown key, bad mode, isolated, MTU, bridge-name clashes", async () => {
    const kernel = createFakeKernel();
    const ctx = context(kernel);
    const d = createBridgeDriver({ userlandProxy: false });
    kernel.seedLink(kernel.hostNetns, { name: "eth0" });
    await d.createNetwork(ctx, net({ options: { "com.docker.network.bridge.name": "br-x" } }));
    kernel.clearCalls();
    const before = kernel.snapshot();
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ "com.docker.network.bridge.nme": "x" }, /unknown network option 'com.docker.network.bridge.nme'/],
      [{ "com.docker.network.bridge.gateway_mode_ipv4": "nated" }, /gateway_mode_ipv4 has invalid value 'nated'/],
      [{ "com.docker.network.bridge.gateway_mode_ipv4": "isolated" }, /can only be used for an internal network/],
      [{ "com.docker.network.driver.mtu": "70000" }, /mtu has invalid value '70000'/],
      [{ "com.docker.network.bridge.name": "eth0" }, /a link named 'eth0'.*already exists in the host namespace/],
      [{ "com.docker.network.bridge.name": "br-x" }, /bridge name 'br-x' is already used by network 'n1'/],
    ];
    for (const [options, re] of bad) {
      await expect(d.createNetwork(ctx, net({ id: "ffff000011112222", name: "n2", options }))).rejects.toThrow(re);
    }
    expect(kernel.calls).toEqual([]);
    expect(kernel.snapshot()).toEqual(before);
  });

  it.each(["links.addBridge", "addresses.add", "sysctl.set", "links.set", "nft.replaceTable"] as const)("rolls back completely when %s fails", async (method) => {
    const kernel = createFakeKernel();
    const ctx = context(kernel);
    const d = createBridgeDriver({ userlandProxy: false });
    const before = kernel.snapshot();
    const remove = kernel.failWhen((c) => c.method === method && !(method === "sysctl.set" && String(c.args[1]).includes("ip_forward")));
    await expect(d.createNetwork(ctx, net())).rejects.toThrow();
    remove();
    // The fake lists written sysctls only; a forwarding flag put back to "0" reads as before.
    const host = kernel.snapshot().namespaces[kernel.hostNetns]!;
    const written = Object.fromEntries(Object.entries(host.sysctls).filter(([, v]) => v !== "0"));
    expect({ namespaces: { [kernel.hostNetns]: { ...host, sysctls: written } } }).toEqual(before);
    // And the driver forgot it: the same network can be created afterwards.
    await d.createNetwork(ctx, net());
  });
});

describe("bridge driver: endpoints", () => {
  async function world(userlandProxy = false) {
    const kernel = createFakeKernel();
    const state = memoryState();
    const ctx = context(kernel, state);
    const d = createBridgeDriver({ userlandProxy });
    const n = net({ options: { "com.docker.network.driver.mtu": "1450" } });
    await d.createNetwork(ctx, n);
    const c1 = await kernel.netns.create("c1");
    return { kernel, state, ctx, d, n, c1, sb: sandbox(c1) };
  }

  it("joins: veth born in the sandbox, eth0, MAC, MTU, addresses, hairpin, guards; no default route", async () => {
    const { kernel, ctx, d, n, c1, sb } = await world();
    const e = ep("e0000000001", 2, { mac: "02:42:0a:1f:01:02" });
    const res = await d.join(ctx, n, e, sb);
    expect(res).toEqual({ interfaceName: "eth0", gateway4: "10.31.1.1", gateway6: "fd00:31:1::1" });
    const snap = kernel.snapshot();
    const inCtr = snap.namespaces[c1]!;
    expect(inCtr.links.find((l) => l.name === "eth0")).toMatchObject({ kind: "veth", mac: "02:42:0a:1f:01:02", mtu: 1450, up: true });
    expect(inCtr.addresses.map((a) => a.address)).toEqual(["10.31.1.2/24", "fd00:31:1::2/64"]);
    expect(inCtr.routes).toEqual([]);
    const veth = snap.namespaces[kernel.hostNetns]!.links.find((l) => l.kind === "veth")!;
    expect(veth.name).toMatch(/^veth[0-9a-f]{7}$/);
    expect(veth).toMatchObject({ master: "br-aaaabbbbcccc", up: true, hairpin: true, mtu: 1450 });
    expect(snap.namespaces[kernel.hostNetns]!.sysctls[`net.ipv6.conf.${veth.name}.disable_ipv6`]).toBe("1");
    // IPv6 off on the bridge port before it is up, so that it never gets a link-local address.
    const hostEndCalls = kernel.calls.filter((c) => JSON.stringify(c.args).includes(veth.name)).map((c) => `${c.method} ${JSON.stringify(c.args.slice(1))}`);
    expect(hostEndCalls.filter((c) => !c.startsWith("links.get") && !c.startsWith("nft"))).toEqual([
      expect.stringMatching(/^links\.addVeth .*"up":false/),
      `sysctl.set ["net.ipv6.conf.${veth.name}.disable_ipv6","1"]`,
      `links.set ["${veth.name}",{"up":true,"hairpin":true}]`,
    ]);
    expect(snap.namespaces[kernel.hostNetns]!.nft["inet netd"]!.sets.guard4!.elements).toEqual(["10.31.1.2 : jump guard__br-aaaabbbbcccc"]);
    expect(kernel.calls.find((c) => c.method === "links.addVeth")?.args[1]).toMatchObject({ peer: { netns: c1, name: "eth0" } });
  });

  it("picks the first free prefix+index, honours the ifname option and refuses a clash without changes", async () => {
    const { kernel, ctx, d, n, sb } = await world();
    await d.join(ctx, n, ep("e1", 2), sb);
    expect((await d.join(ctx, net({ id: "aaaabbbbccccdddd0001" }), ep("e2", 3, { options: { "com.docker.network.endpoint.ifname": "foobar" } }), sb)).interfaceName).toBe("foobar");
    const before = kernel.snapshot();
    kernel.clearCalls();
    await expect(d.join(ctx, n, ep("e3", 4, { options: { "com.docker.network.endpoint.ifname": "foobar" } }), sb)).rejects.toThrow(/interface 'foobar' already exists/);
    expect(kernel.calls).toEqual([]);
    expect(kernel.snapshot()).toEqual(before);
    const d2 = createBridgeDriver({ userlandProxy: false });
    await d2.createNetwork(ctx, net({ id: "9999888877776666", name: "n9", ipv4: { subnet: "10.31.9.0/24", gateway: "10.31.9.1", ipRange: null }, ipv6: null, options: { "com.docker.network.bridge.name": "br-n9" } }));
    expect((await d2.join(ctx, net({ id: "9999888877776666" }), ep("e4", 5, { networkId: "9999888877776666", ipv4: "10.31.9.5/24", ipv6: null }), sb)).interfaceName).toBe("eth1");
  });

  it.each(["links.addVeth", "addresses.add", "links.set", "nft.updateElements"] as const)("rolls a join back completely when %s fails", async (method) => {
    const { kernel, state, ctx, d, n, sb } = await world();
    const before = kernel.snapshot();
    kernel.failNext(method);
    await expect(d.join(ctx, n, ep("e1", 2), sb)).rejects.toThrow();
    expect(kernel.snapshot()).toEqual(before);
    expect([...state.data.keys()].filter((k) => k.startsWith("endpoint/"))).toEqual([]);
  });

  it("installs the default route only on the gateway endpoint, per family, and moves it", async () => {
    const { kernel, ctx, d, n, c1, sb } = await world();
    const d2net = net({ id: "bbbbbbbbccccdddd0002", name: "n2", ipv4: { subnet: "10.31.2.0/24", gateway: "10.31.2.1", ipRange: null }, ipv6: null });
    await d.createNetwork(ctx, d2net);
    const e1 = ep("e1", 2);
    const e2 = ep("e2", 2, { networkId: d2net.id, ipv4: "10.31.2.2/24", ipv6: null });
    await d.join(ctx, n, e1, sb);
    await d.join(ctx, d2net, e2, sb);
    const both = [e1, e2];
    for (const phase of ["release", "acquire"] as const) await d.onGatewayChange!(ctx, change(sb, phase, "e1", "e1", both));
    const routes = () => kernel.snapshot().namespaces[c1]!.routes.map(({ to, family, via, dev }) => ({ to, family, via, dev }));
    expect(routes()).toEqual([
      { to: "default", family: 4, via: "10.31.1.1", dev: "eth0" },
      { to: "default", family: 6, via: "fd00:31:1::1", dev: "eth0" },
    ]);
    kernel.clearCalls();
    for (const phase of ["release", "acquire"] as const) await d.onGatewayChange!(ctx, change(sb, phase, "e1", "e1", both));
    expect(kernel.calls).toEqual([]);
    await d.onGatewayChange!(ctx, change(sb, "release", "e2", "e1", both));
    expect(routes()).toEqual([{ to: "default", family: 6, via: "fd00:31:1::1", dev: "eth0" }]);
    await d.onGatewayChange!(ctx, change(sb, "acquire", "e2", "e1", both));
    expect(routes()).toEqual([
      { to: "default", family: 4, via: "10.31.2.1", dev: "eth1" },
      { to: "default", family: 6, via: "fd00:31:1::1", dev: "eth0" },
    ]);
  });

  it("fails acquire with ROUTE_EXISTS when the sandbox has its own default route, leaving routes as they were", async () => {
    const { kernel, ctx, d, n, c1, sb } = await world();
    const e1 = ep("e1", 2, { ipv6: null });
    await d.join(ctx, n, e1, sb);
    await kernel.routes.add(c1, { to: "default", family: 4, dev: "eth0" });
    const before = kernel.snapshot();
    await d.onGatewayChange!(ctx, change(sb, "release", "e1", null, [e1]));
    await expect(d.onGatewayChange!(ctx, change(sb, "acquire", "e1", null, [e1]))).rejects.toMatchObject({ code: "ROUTE_EXISTS" });
    expect(kernel.snapshot()).toEqual(before);
  });

  it("internal networks report no gateways", async () => {
    const kernel = createFakeKernel();
    const ctx = context(kernel);
    const d = createBridgeDriver({ userlandProxy: false });
    await d.createNetwork(ctx, net({ internal: true }));
    const c1 = await kernel.netns.create("c1");
    expect(await d.join(ctx, net({ internal: true }), ep("e1", 2), sandbox(c1))).toMatchObject({ gateway4: null, gateway6: null });
  });

  it("leave removes veth, guards and state; a second leave is a no-op", async () => {
    const { kernel, state, ctx, d, n, sb } = await world();
    const before = kernel.snapshot();
    const e1 = ep("e1", 2);
    await d.join(ctx, n, e1, sb);
    await d.leave(ctx, n, e1, sb);
    await d.leave(ctx, n, e1, sb);
    expect(kernel.snapshot()).toEqual(before);
    expect([...state.data.keys()].filter((k) => k.startsWith("endpoint/"))).toEqual([]);
  });

  it("restore rebuilds state in a new driver instance, re-creates a lost veth and re-applies the table", async () => {
    const { kernel, state, ctx, d, n, c1, sb } = await world();
    const e1 = ep("e1", 2, { mac: "02:00:00:00:00:09" });
    const e2 = ep("e2", 3);
    await d.join(ctx, n, e1, sb);
    const c2 = await kernel.netns.create("c2");
    const sb2 = sandbox(c2, "sb2");
    await d.join(ctx, n, e2, sb2);
    for (const phase of ["release", "acquire"] as const) await d.onGatewayChange!(ctx, change(sb, phase, "e1", "e1", [e1]));
    const full = kernel.snapshot();
    // The daemon dies; e2's veth and the table vanish meanwhile.
    const lost = full.namespaces[c2]!.links.find((l) => l.name === "eth0")!.peer!.name;
    await kernel.links.delete(kernel.hostNetns, lost);
    await kernel.nft.deleteTable(kernel.hostNetns, { family: "inet", name: "netd" });
    const d2 = createBridgeDriver({ userlandProxy: false });
    const ctx2 = context(kernel, state);
    await d2.restore!(ctx2, { networks: [n], endpoints: [{ endpoint: e1, sandbox: sb }, { endpoint: e2, sandbox: sb2 }] });
    const after = kernel.snapshot();
    const sets = (s: typeof full) => Object.fromEntries(Object.entries(s.namespaces[kernel.hostNetns]!.nft["inet netd"]!.sets).map(([k, v]) => [k, [...v.elements].sort()]));
    expect(sets(after)).toEqual(sets(full));
    expect(after.namespaces[c2]!.addresses).toEqual(full.namespaces[c2]!.addresses);
    expect(after.namespaces[c1]).toEqual(full.namespaces[c1]);
    kernel.clearCalls();
    for (const phase of ["release", "acquire"] as const) await d2.onGatewayChange!(ctx2, change(sb, phase, "e1", "e1", [e1]));
    expect(kernel.calls).toEqual([]);
    await d2.leave(ctx2, n, e1, sb);
    await d2.leave(ctx2, n, e2, sb2);
    await d2.deleteNetwork(ctx2, n);
    expect(kernel.snapshot().namespaces[kernel.hostNetns]!.links.map((l) => l.name)).toEqual(["lo"]);
  });

  it("createEndpoint picks a locally administered MAC and validates endpoint options", async () => {
    const { ctx, d, n } = await world();
    const r = await d.createEndpoint!(ctx, n, ep("e1", 2));
    expect(r?.mac).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
    expect(await d.createEndpoint!(ctx, n, ep("e1", 2, { mac: "02:00:00:00:00:01" }))).toEqual({});
    await expect(d.createEndpoint!(ctx, n, ep("e1", 2, { options: { "x.y": "1" } }))).rejects.toThrow(/unknown endpoint option 'x.y'/);
  });
});
