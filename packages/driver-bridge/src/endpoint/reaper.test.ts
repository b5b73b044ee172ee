import type { DriverContext, DriverStateStore, EndpointInfo, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { createPortAllocator } from "@netd/portallocator";
import { describe, expect, it } from "vitest";
import { createBridgeDriver } from "../driver.js";

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

const hostVeths = (k: FakeKernel) => k.snapshot().namespaces[k.hostNetns]!.links.filter((l) => l.kind === "veth");
const doomed = (s: { data: Map<string, unknown> }) => [...s.data.keys()].filter((k) => k.startsWith("doomed/"));

describe("bridge driver: veth deletion off the caller's path", () => {
  it("leave returns with the host end down and doomed; the veth goes in the background; a rejoin waits and gets eth0 again", async () => {
    const kernel = createFakeKernel();
    const state = memoryState();
    const ctx = context(kernel, state);
    const d = createBridgeDriver({ userlandProxy: false });
    await d.createNetwork(ctx, n);
    const sb = sandbox(await kernel.netns.create("c1"));
    await d.join(ctx, n, ep("e1", 2), sb);
    const slow = slowDeletes(kernel);
    await d.leave(ctx, n, ep("e1", 2), sb);
    // Returned although the delete has not run: the port is down and recorded as doomed.
    expect(hostVeths(kernel)).toMatchObject([{ up: false, master: "br-aaaabbbbcccc" }]);
    expect(doomed(state)).toEqual([`doomed/${hostVeths(kernel)[0]!.name}`]);
    expect([...state.data.keys()].filter((k) => k.startsWith("endpoint/"))).toEqual([]);
    // A join into the same sandbox waits for the old interface to go, then reuses its name.
    const joining = d.join(ctx, n, ep("e2", 3), sb);
    await new Promise((r) => setTimeout(r, 20));
    expect(hostVeths(kernel)).toHaveLength(1);
    slow.release();
    expect(await joining).toMatchObject({ interfaceName: "eth0" });
    expect(hostVeths(kernel)).toHaveLength(1);
    // The join's commit carries the removal of the finished doomed record.
    expect(doomed(state)).toEqual([]);
    await d.leave(ctx, n, ep("e2", 3), sb);
    // Deleting the network waits for the reaper: no veth is left when it returns.
    await d.deleteNetwork(ctx, n);
    expect(hostVeths(kernel)).toEqual([]);
    expect(doomed(state)).toEqual([]);
  });

  it("restore deletes the veths a previous daemon doomed but did not delete, and forgets them", async () => {
    const kernel = createFakeKernel();
    const state = memoryState();
    const ctx = context(kernel, state);
    const d = createBridgeDriver({ userlandProxy: false });
    await d.createNetwork(ctx, n);
    const sb = sandbox(await kernel.netns.create("c1"));
    await d.join(ctx, n, ep("e1", 2), sb);
    const slow = slowDeletes(kernel); // never released: the daemon "dies" with the delete pending
    await d.leave(ctx, n, ep("e1", 2), sb);
    expect(hostVeths(kernel)).toHaveLength(1);
    expect(doomed(state)).toHaveLength(1);
    slow.restore();
    const d2 = createBridgeDriver({ userlandProxy: false });
    await d2.restore!(context(kernel, state), { networks: [n], endpoints: [] });
    expect(hostVeths(kernel)).toEqual([]);
    expect(doomed(state)).toEqual([]);
  });
});
