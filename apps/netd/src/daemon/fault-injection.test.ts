// Fault injection, deterministically: the N-th state-changing kernel call of an operation
// fails (for every N until the operation gets through). A failed create, connect, gateway
// change or disconnect must reject and leave kernel, store, port allocator and IPAM exactly
// as before it; a failed delete must either keep the object intact (rejecting) or remove it
// completely. Either way the operation then succeeds when run again, and the end state equals
// that of a run without faults. Real drivers (bridge, routed) over the fake kernel; the
// real-kernel kill tests are apps/netd/test/int/crash-points.int.test.ts and crash.int.test.ts.
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { createFakeKernel, interruptKernel } from "@netd/kernel-fake";
import type { FakeKernel } from "@netd/kernel-fake";
import { createMemoryStore } from "@netd/libnet-core";
import type { Controller, MemoryStore } from "@netd/libnet-core";
import { observeWorld, openWorld, trackPorts } from "../test-support/fault-world.js";

interface Scenario {
  readonly name: string;
  /** What exists around the operation (the "without" baseline is taken after it). */
  base(c: Controller): Promise<void>;
  /** Makes what a delete or disconnect removes (the "before" baseline is taken after it); absent for creates. */
  prepare?(c: Controller): Promise<void>;
  /** The operation under test. */
  op(c: Controller): Promise<unknown>;
}

const v46 = (name: string, x: number, driver = "bridge") => ({
  name,
  driver,
  enableIPv6: true,
  ipam: { ipv4: { subnet: `10.45.${x}.0/24` }, ipv6: { subnet: `fd00:45:${x}::/64` } },
});
const web = [{ protocol: "tcp" as const, containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 },
  { protocol: "udp" as const, containerPort: 53, hostIp: null, hostPortStart: 0, hostPortEnd: 0 }];

const nets = async (c: Controller) => {
  await c.createNetwork(v46("a", 1));
  await c.createNetwork(v46("b", 2));
  await c.createNetwork(v46("r", 3, "routed"));
};
const joined = async (c: Controller) => {
  await nets(c);
  await c.createSandbox({ name: "s", portBindings: web });
  await c.connect("a", "s");
};

const scenarios: Scenario[] = [
  { name: "network create (bridge)", base: async () => {}, op: (c) => c.createNetwork(v46("n", 9)) },
  { name: "network create (routed)", base: async () => {}, op: (c) => c.createNetwork(v46("n", 9, "routed")) },
  { name: "connect with published ports", base: async (c) => { await nets(c); await c.createSandbox({ name: "s", portBindings: web }); }, op: (c) => c.connect("a", "s") },
  { name: "connect moving the gateway and its host ports", base: joined, op: (c) => c.connect("b", "s", { gwPriority: 5 }) },
  { name: "connect of a routed network", base: joined, op: (c) => c.connect("r", "s") },
  { name: "disconnect of the gateway", base: joined, prepare: async (c) => void (await c.connect("b", "s", { gwPriority: 5 })), op: (c) => c.disconnect("b", "s") },
  {
    name: "disconnect of the last network",
    base: async (c) => { await nets(c); await c.createSandbox({ name: "s", portBindings: web }); },
    prepare: async (c) => void (await c.connect("a", "s")),
    op: (c) => c.disconnect("a", "s"),
  },
  { name: "network delete", base: nets, prepare: async (c) => void (await c.createNetwork(v46("n", 9))), op: (c) => c.deleteNetwork("n") },
  {
    name: "sandbox delete",
    base: joined,
    prepare: async (c) => {
      await c.createSandbox({ name: "x", portBindings: [{ ...web[0]!, hostPortStart: 8081, hostPortEnd: 8081 }] });
      await c.connect("a", "x");
      await c.connect("b", "x", { gwPriority: 5 });
    },
    op: (c) => c.deleteSandbox("x"),
  },
];

/** Kernel calls whose failure an operation tolerates by design (it logs and goes on). */
const BEST_EFFORT = new Set(["conntrack.delete"]);

/** Failures a resolved operation reports: deleteSandbox's list, disconnect's `errors`. */
function failuresIn(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  const errors = (v as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? errors.length : 0;
}

describe("the N-th kernel call of an operation fails", () => {
  for (const sc of scenarios) {
    it(`${sc.name}: reported, with nothing changed (a delete: or complete), for every N`, async () => {
      let failures = 0;
      for (let n = 1; ; n++) {
        const kernel: FakeKernel = createFakeKernel();
        const store: MemoryStore = createMemoryStore();
        const ports = trackPorts();
        const faulty = interruptKernel(kernel);
        const c = await openWorld(faulty.kernel, store, ports.allocator);
        await sc.base(c);
        const without = observeWorld(c, kernel, store, ports);
        await sc.prepare?.(c);
        const before = observeWorld(c, kernel, store, ports);
        faulty.arm(n, "fail");
        const outcome = await sc.op(c).then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        faulty.disarm();
        if (faulty.hit === null) {
          expect(outcome.ok, `${sc.name}: no fault at call ${n}, the operation must succeed`).toBe(true);
          await c.close();
          break;
        }
        failures++;
        const where = `${sc.name}: fault at call ${n} (${faulty.hit.method})`;
        const now = observeWorld(c, kernel, store, ports);
        if (BEST_EFFORT.has(faulty.hit.method) && outcome.ok) {
          // Flushing conntrack entries is best effort by design (logged): the operation completes.
          await c.close();
          continue;
        }
        // Best-effort steps (deletes, disconnect) report failures in the result instead of rejecting.
        const reported = !outcome.ok || failuresIn(outcome.v) > 0;
        const complete = sc.prepare !== undefined && isDeepStrictEqual(now, without);
        // A removal that completed anyway (a failed step retried) need not report; else it must.
        if (!complete) expect(reported, `${where}: the API must report the failure`).toBe(true);
        if (sc.prepare !== undefined && !isDeepStrictEqual(now, before)) expect(now, `${where}: neither as before nor complete`).toEqual(without);
        if (!complete) expect(now, `${where}: state must be as before`).toEqual(before);
        // Nothing is wedged: the operation runs again; a delete ends at the "without" baseline.
        if (!complete) await sc.op(c);
        if (sc.prepare) expect(observeWorld(c, kernel, store, ports), `${where}, then run again`).toEqual(without);
        await c.close();
      }
      expect(failures).toBeGreaterThan(0);
      console.log(`fault injection: ${sc.name}: ${failures} kernel calls failed in turn, each rejected or completed cleanly`);
    });
  }
});
