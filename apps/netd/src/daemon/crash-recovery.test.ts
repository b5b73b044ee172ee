// Crash consistency, deterministically: every state-changing kernel call of an operation is,
// in turn, the instant the daemon "dies" (the call never returns, the controller is
// abandoned), then a new controller opens the same store and kernel. Creates and joins must be
// undone and deletes and leaves finished, so the kernel and the store equal the baseline taken
// before the operation (creates) or before the object was made (deletes), and the operation
// can run again. Real drivers (bridge, routed) over the fake kernel; the real-kernel kill -9
// test is apps/netd/test/int/crash.int.test.ts.
import { describe, expect, it } from "vitest";
import { createBridgeDriver } from "@netd/driver-bridge";
import { createRoutedDriver } from "@netd/driver-routed";
import { createFakeKernel, interruptKernel } from "@netd/kernel-fake";
import type { FakeKernel } from "@netd/kernel-fake";
import { Controller, createMemoryStore } from "@netd/libnet-core";
import type { MemoryStore } from "@netd/libnet-core";
import { createPortAllocator } from "@netd/portallocator";
import type { Kernel } from "@netd/driverapi";

const open = (kernel: Kernel, store: MemoryStore) =>
  Controller.open({
    kernel,
    store,
    drivers: [createBridgeDriver({ userlandProxy: false }), createRoutedDriver({ userlandProxy: false })],
    ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }),
  });

const v46 = (name: string, x: number, driver = "bridge") => ({
  name,
  driver,
  enableIPv6: true,
  ipam: { ipv4: { subnet: `10.44.${x}.0/24` }, ipv6: { subnet: `fd00:44:${x}::/64` } },
});

interface Scenario {
  readonly name: string;
  /** Builds the baseline (snapshot taken after it). */
  base(c: Controller): Promise<void>;
  /** Makes what a delete operation removes; empty for creates. */
  prepare(c: Controller): Promise<void>;
  /** The operation that is interrupted. */
  op(c: Controller): Promise<unknown>;
}

const baseSandbox = async (c: Controller) => {
  await c.createNetwork(v46("a", 1));
  await c.createNetwork(v46("b", 2));
  await c.createNetwork(v46("r", 3, "routed"));
  await c.createSandbox({ name: "s", portBindings: [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 }] });
  await c.connect("a", "s");
};

const scenarios: Scenario[] = [
  { name: "network create", base: async () => {}, prepare: async () => {}, op: (c) => c.createNetwork(v46("n", 9)) },
  { name: "network delete", base: async () => {}, prepare: async (c) => void (await c.createNetwork(v46("n", 9))), op: (c) => c.deleteNetwork("n") },
  { name: "sandbox create", base: async () => {}, prepare: async () => {}, op: (c) => c.createSandbox({ name: "x" }) },
  { name: "sandbox delete", base: baseSandbox, prepare: async (c) => void (await c.createSandbox({ name: "x" }).then(() => c.connect("b", "x"))), op: (c) => c.deleteSandbox("x") },
  { name: "connect moving the gateway and its host port", base: baseSandbox, prepare: async () => {}, op: (c) => c.connect("b", "s", { gwPriority: 5 }) },
  { name: "connect of a routed network", base: baseSandbox, prepare: async () => {}, op: (c) => c.connect("r", "s") },
  { name: "disconnect of the gateway", base: baseSandbox, prepare: async (c) => void (await c.connect("b", "s", { gwPriority: 5 })), op: (c) => c.disconnect("b", "s") },
];

/** Host-wide forwarding sysctls stay on once a network turned them on (by design, also after a normal delete). */
const STICKY_SYSCTLS = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables"];

/**
 * Kernel and store, comparable: sticky sysctls left out, and nft table bodies without their
 * inline element lists (a restore renders elements inline, a live update adds them apart;
 * the elements themselves are compared through `sets`).
 */
function observe(kernel: FakeKernel, store: MemoryStore) {
  const snap = kernel.snapshot();
  for (const ns of Object.values(snap.namespaces)) {
    for (const key of STICKY_SYSCTLS) delete (ns.sysctls)[key];
    for (const table of Object.values(ns.nft)) (table as { body: string }).body = table.body.replace(/\s*elements = \{[^}]*\}/g, "");
  }
  return { kernel: snap, store: store.dump() };
}

describe("crash at every kernel call of an operation, then restart", () => {
  for (const sc of scenarios) {
    it(`${sc.name}: undone or finished, kernel and store as at the baseline`, async () => {
      let crashes = 0;
      for (let n = 1; ; n++) {
        const kernel = createFakeKernel();
        const store = createMemoryStore();
        const interrupting = interruptKernel(kernel);
        // The dead daemon's store: nothing it would write after the crash instant lands.
        const dying: MemoryStore = { ...store, apply: (ops, options) => (interrupting.hit ? new Promise(() => undefined) : store.apply(ops, options)) };
        const first = await open(interrupting.kernel, dying);
        await sc.base(first);
        const baseline = observe(kernel, store);
        await sc.prepare(first);
        interrupting.arm(n, "die");
        const done = sc.op(first).then(() => "done" as const);
        const outcome = await Promise.race([done, interrupting.reached().then(() => "crashed" as const)]);
        if (outcome === "done") break;
        crashes++;
        interrupting.disarm();
        const second = await open(kernel, store);
        expect(observe(kernel, store), `${sc.name}: crash at call ${n} (${interrupting.hit?.method})`).toEqual(baseline);
        // Nothing is wedged: the whole thing runs again on the restarted controller.
        await sc.prepare(second);
        await sc.op(second);
      }
      expect(crashes).toBeGreaterThan(0);
    });
  }
});
