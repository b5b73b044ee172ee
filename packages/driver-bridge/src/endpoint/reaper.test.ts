import type { DriverContext, DriverStateStore, EndpointInfo, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { createPortAllocator } from "@netd/portallocator";
import { describe, expect, it } from "vitest";
import { memoryState } from "../../test/support/publish-fixtures.js";
import { createBridgeDriver } from "../driver.js";

const context = (kernel: FakeKernel, state: DriverStateStore): DriverContext => ({
  kernel,
  hostNetns: kernel.hostNetns,
  ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }),
  log: { debug() {}, info() {}, warn() {}, error() {} },
  state,
});
const n: NetworkInfo = { id: "aaaabbbbccccdddd0001", name: "n1", driver: "bridge", internal: false, ipv4: { subnet: "10.31.1.0/24", gateway: "10.31.1.1", ipRange: null }, ipv6: null, options: {}, labels: {} };
const ep = (id: string, host: number): EndpointInfo => ({ id, networkId: n.id, ipv4: `10.31.1.${host}/24`, ipv6: null, mac: null, options: {} });
const sandbox = (netns: string): SandboxInfo => ({ id: "sb1", name: "sb1", netns, portBindings: [], exposedPorts: [] });

/** A fake kernel whose link deletes wait for `release()` (the kernel's RCU wait, stretched). */
function slowDeletes(kernel: FakeKernel) {
  const del = kernel.links.delete.bind(kernel.links);
  let gate: () => void = () => undefined;
  const opened = new Promise<void>((r) => (gate = r));
  kernel.links.delete = async (netns, name) => {
    await opened;
    return del(netns, name);
  };
  return {
    release: () => gate(),
    /** Deletes run at once again (a new daemon on the same kernel). */
    restore: () => {
      kernel.links.delete = del;
    },
  };
}

/** A network and sandbox c1 with endpoint e1 joined. */
async function joinedE1() {
  const kernel = createFakeKernel();
  const state = memoryState();
  const ctx = context(kernel, state);
  const d = createBridgeDriver({ userlandProxy: false });
  await d.createNetwork(ctx, n);
  const sb = sandbox(await kernel.netns.create("c1"));
  await d.join(ctx, n, ep("e1", 2), sb);
  return { kernel, state, ctx, d, sb };
}

/** {@link joinedE1} after e1 left; the veth's delete hangs until `slow.release()`. */
async function leftWhileDeleteHangs() {
  const w = await joinedE1();
  const slow = slowDeletes(w.kernel);
  await w.d.leave(w.ctx, n, ep("e1", 2), w.sb);
  return { ...w, slow };
}

const hostVeths = (k: FakeKernel) => k.snapshot().namespaces[k.hostNetns]!.links.filter((l) => l.kind === "veth");
const doomed = (s: { data: Map<string, unknown> }) => [...s.data.keys()].filter((k) => k.startsWith("doomed/"));

describe("bridge driver: veth deletion through the reaper", () => {
  it("leave takes the host end down, records it doomed and returns before the delete; a rejoin waits for it and gets eth0 again", async () => {
    const { kernel, state, ctx, d, sb, slow } = await leftWhileDeleteHangs();
    // Leave returned while the kernel still deletes: the container is already off the bridge,
    // the endpoint is forgotten, and a crash now finds the doomed record.
    expect(hostVeths(kernel)).toMatchObject([{ up: false, master: "br-aaaabbbbcccc" }]);
    expect(doomed(state)).toEqual([`doomed/${hostVeths(kernel)[0]!.name}`]);
    expect([...state.data.keys()].filter((k) => k.startsWith("endpoint/"))).toEqual([]);
    let joined = false;
    const rejoin = d.join(ctx, n, ep("e2", 3), sb).then((r) => ((joined = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(joined).toBe(false);
    slow.release();
    expect(await rejoin).toMatchObject({ interfaceName: "eth0" });
    expect(hostVeths(kernel)).toHaveLength(1);
    // The join's commit carries the removal of the finished doomed record.
    expect(doomed(state)).toEqual([]);
    await d.leave(ctx, n, ep("e2", 3), sb);
    await d.deleteNetwork(ctx, n);
    expect(hostVeths(kernel)).toEqual([]);
    expect(doomed(state)).toEqual([]);
  });

  it("a join into a new namespace at the same path does not wait for the old one's veth", async () => {
    const { kernel, state, ctx, d, sb, slow } = await leftWhileDeleteHangs();
    // The container's namespace goes and a new one is made under the same path (a bench, or a
    // runtime that names namespaces after the container): its eth0 is free at once.
    await kernel.netns.delete(sb.netns);
    expect(await kernel.netns.create("c1")).toBe(sb.netns);
    const joined = await Promise.race([d.join(ctx, n, ep("e2", 3), { ...sb, id: "sb2" }), new Promise((r) => setTimeout(() => r("waited"), 200))]);
    expect(joined).toMatchObject({ interfaceName: "eth0" });
    slow.release();
    await d.leave(ctx, n, ep("e2", 3), { ...sb, id: "sb2" });
    await d.deleteNetwork(ctx, n);
    expect(doomed(state)).toEqual([]);
  });

  it("restore deletes the veths a previous daemon doomed but did not delete, and forgets them", async () => {
    const { kernel, state, ctx, d, sb } = await joinedE1();
    const slow = slowDeletes(kernel); // never released: the daemon "dies" with the delete pending
    void d.leave(ctx, n, ep("e1", 2), sb);
    await new Promise((r) => setTimeout(r, 20));
    expect(hostVeths(kernel)).toHaveLength(1);
    expect(doomed(state)).toHaveLength(1);
    slow.restore();
    const d2 = createBridgeDriver({ userlandProxy: false });
    await d2.restore!(context(kernel, state), { networks: [n], endpoints: [] });
    expect(hostVeths(kernel)).toEqual([]);
    expect(doomed(state)).toEqual([]);
  });
});
