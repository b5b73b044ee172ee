// Restore's orphan sweep (issue 17): what a crash or a lost intent left in the kernel or in the
// driver's state, with nothing in core's snapshot naming it, is removed; what carries another
// driver's mark or no netd name stays.
import type { DriverContext, DriverStateStore, EndpointInfo, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { createPortAllocator } from "@netd/portallocator";
import { describe, expect, it } from "vitest";
import { memoryState } from "../test/support/publish-fixtures.js";
import { createBridgeDriver } from "./driver.js";

const logs: string[] = [];
const context = (kernel: FakeKernel, state: DriverStateStore): DriverContext => ({
  kernel,
  hostNetns: kernel.hostNetns,
  ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }),
  log: { debug() {}, info() {}, warn: (m) => logs.push(m), error: (m) => logs.push(m) },
  state,
});
const net = (id: string, x: number, driver = "bridge"): NetworkInfo => ({
  id,
  name: `n${x}`,
  driver,
  internal: false,
  ipv4: { subnet: `10.31.${x}.0/24`, gateway: `10.31.${x}.1`, ipRange: null },
  ipv6: null,
  options: {},
  labels: {},
});
const ep = (id: string, network: NetworkInfo, host: number): EndpointInfo => ({ id, networkId: network.id, ipv4: `${network.ipv4!.subnet.replace(/0\/24$/, String(host))}/24`, ipv6: null, mac: null, options: {} });
const sandbox = (netns: string, id: string): SandboxInfo => ({ id, name: id, netns, portBindings: [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 }], exposedPorts: [] });

const hostLinks = (k: FakeKernel) => k.snapshot().namespaces[k.hostNetns]!.links.map((l) => l.name).sort();

describe("bridge restore: orphan sweep", () => {
  it("removes the kernel objects of state entries core no longer has, unknown marked bridges and unknown netd veths on known bridges", async () => {
    const kernel = createFakeKernel();
    const state = memoryState();
    const ctx = context(kernel, state);
    const d = createBridgeDriver({ userlandProxy: false });
    const keep = net("aaaa00000000000000000001", 1);
    const gone = net("bbbb00000000000000000002", 2);
    await d.createNetwork(ctx, keep);
    await d.createNetwork(ctx, gone);
    const c1 = await kernel.netns.create("c1");
    const c2 = await kernel.netns.create("c2");
    const kept = ep("1111aaaa00000000000000001", keep, 2);
    const orphanEp = ep("2222bbbb00000000000000002", keep, 3);
    const onGone = ep("3333cccc00000000000000003", gone, 2);
    await d.join(ctx, keep, kept, sandbox(c1, "s1"));
    await d.join(ctx, keep, orphanEp, sandbox(c2, "s2"));
    for (const phase of ["release", "acquire"] as const) await d.onGatewayChange!(ctx, { phase, sandbox: sandbox(c2, "s2"), gw4: orphanEp.id, gw6: null, endpoints: [orphanEp] });
    const c3 = await kernel.netns.create("c3");
    await d.join(ctx, gone, onGone, sandbox(c3, "s3"));
    // A join a crash interrupted with its intent lost: a netd veth on a known bridge that no state names.
    const c4 = await kernel.netns.create("c4");
    await kernel.links.addVeth(kernel.hostNetns, { name: "veth4444ddd", master: "br-aaaa00000000", up: true, peer: { name: "eth0", netns: c4 } });
    // A network create whose intent was lost: a bridge with this driver's mark, unknown to every store.
    const routedLike = createBridgeDriver({ userlandProxy: false, name: "routed", table: "netd_routed", forceMode: "routed" });
    const other = net("cccc00000000000000000003", 3, "routed");
    await routedLike.createNetwork(context(kernel, memoryState()), other);
    const strayState = memoryState();
    await d.createNetwork(context(kernel, strayState), net("dddd00000000000000000004", 4));
    // Links without netd's names or marks.
    kernel.seedLink(kernel.hostNetns, { name: "br-user", kind: "bridge" });
    kernel.seedLink(kernel.hostNetns, { name: "veth9999eee", kind: "veth" });
    expect(hostLinks(kernel)).toEqual(["br-aaaa00000000", "br-bbbb00000000", "br-cccc00000000", "br-dddd00000000", "br-user", "lo", "veth1111aaa", "veth2222bbb", "veth3333ccc", "veth4444ddd", "veth9999eee"].sort());

    // Restart: core knows `keep` and `kept` only (orphanEp and `gone` were deleted in a store the driver's entries outlived).
    const d2 = createBridgeDriver({ userlandProxy: false });
    await d2.restore!(ctx, { networks: [keep], endpoints: [{ endpoint: kept, sandbox: sandbox(c1, "s1") }] });
    expect(hostLinks(kernel)).toEqual(["br-aaaa00000000", "br-cccc00000000", "br-user", "lo", "veth1111aaa", "veth9999eee"]);
    expect([...state.data.keys()].sort()).toEqual([`endpoint/${kept.id}`, `network/${keep.id}`]);
    // The container ends and their routes went with the veths; the kept one is intact.
    expect(kernel.snapshot().namespaces[c2]!.links.map((l) => l.name)).toEqual(["lo"]);
    expect(kernel.snapshot().namespaces[c2]!.routes).toEqual([]);
    expect(kernel.snapshot().namespaces[c1]!.links.map((l) => l.name).sort()).toEqual(["eth0", "lo"]);
    // No nft element names an orphan's address any more.
    expect(JSON.stringify(kernel.snapshot().namespaces[kernel.hostNetns]!.nft["inet netd"])).not.toContain("10.31.1.3");
    expect(logs.some((m) => m.includes("orphan sweep"))).toBe(true);
  });

  it("is a no-op when the kernel matches the state", async () => {
    const kernel = createFakeKernel();
    const state = memoryState();
    const ctx = context(kernel, state);
    const d = createBridgeDriver({ userlandProxy: false });
    const n = net("aaaa00000000000000000001", 1);
    await d.createNetwork(ctx, n);
    const c1 = await kernel.netns.create("c1");
    const e = ep("1111aaaa00000000000000001", n, 2);
    await d.join(ctx, n, e, sandbox(c1, "s1"));
    const before = kernel.snapshot();
    kernel.clearCalls();
    await createBridgeDriver({ userlandProxy: false }).restore!(ctx, { networks: [n], endpoints: [{ endpoint: e, sandbox: sandbox(c1, "s1") }] });
    expect(kernel.calls.filter((c) => c.method === "links.delete")).toEqual([]);
    expect(kernel.snapshot().namespaces[kernel.hostNetns]!.links).toEqual(before.namespaces[kernel.hostNetns]!.links);
  });
});
