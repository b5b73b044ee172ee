// The ipvlan driver on this machine's real kernel, in namespaces the test makes. The kernel's
// own answer (`ip link add … type ipvlan|dummy` in a scratch namespace) is the oracle: where
// it lacks ipvlan or dummy (the CI and development kernels), createNetwork must fail with
// KERNEL_FEATURE_MISSING naming the module and leave links exactly as before, including a
// VLAN parent it created; where it has them, the network is created and deleted cleanly.
// Refusals (lo, a missing parent, a parent in use) need no ipvlan and are checked as well.
// Real packets between ipvlan endpoints are in test/vm (a guest kernel with ipvlan).
import { afterAll, describe, expect, it } from "vitest";
import type { DriverContext, NetworkInfo } from "@netd/driverapi";
import { isNetdError } from "@netd/driverapi";
import { createLinuxKernel } from "@netd/kernel";
import { linkNetns, useTestEnv, type TestNetns } from "@netd/testing";
import { memoryState } from "../support/context.js";
import { createIpvlanDriver } from "../../src/index.js";

const kernel = createLinuxKernel();
afterAll(() => kernel.close());

function ctxFor(host: TestNetns): DriverContext {
  return { kernel, hostNetns: host.path, log: { debug() {}, info() {}, warn() {}, error() {} }, state: memoryState() };
}

function net(x: number, options: Record<string, string>): NetworkInfo {
  return { id: `${x}`.padStart(2, "0") + "cd".repeat(31), name: `ipvint${x}`, driver: "ipvlan", internal: false, ipv4: { subnet: `10.45.${x}.0/24`, gateway: null, ipRange: null }, ipv6: null, options, labels: {} };
}

async function linkNames(ns: TestNetns): Promise<string[]> {
  return ((await ns.ipJson(["link"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
}

async function supports(scratch: TestNetns, argv: string[]): Promise<boolean> {
  const r = await scratch.exec(["ip", "link", "add", ...argv]);
  await scratch.exec(["ip", "link", "del", "probe0"]);
  return r.code === 0;
}

async function outcome(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; code: string; category: string; message: string }> {
  return p.then(
    () => ({ ok: true as const }),
    (e: unknown) => (isNetdError(e) ? { ok: false as const, code: e.code, category: e.category, message: e.message } : Promise.reject(e as Error)),
  );
}

describe("ipvlan driver on this machine's kernel", () => {
  const env = useTestEnv("ipvlan-int");

  it("creates a network on a VLAN parent where the kernel has ipvlan, else fails naming the missing module with nothing left behind", async () => {
    const host = await env().netns("host");
    const remote = await env().netns("remote");
    await linkNetns({ ns: host, name: "up0", addresses: ["198.51.100.1/24"] }, { ns: remote, name: "eth0", addresses: ["198.51.100.2/24"] });
    const hasIpvlan = await supports(remote, ["link", "eth0", "name", "probe0", "type", "ipvlan", "mode", "l2"]);
    const hasVlan = await supports(remote, ["link", "eth0", "name", "probe0", "type", "vlan", "id", "10"]);
    const before = await linkNames(host);
    const ctx = ctxFor(host);
    const d = createIpvlanDriver();
    const n = net(1, { parent: "up0.10" });
    // Without 8021q the VLAN parent cannot exist; the plain parent then shows the ipvlan check.
    const plain = net(4, { parent: "up0" });
    const r = await outcome(d.createNetwork(ctx, n));
    if (hasIpvlan && hasVlan) {
      expect(r).toEqual({ ok: true });
      expect(await linkNames(host)).toEqual([...before, "up0.10"].sort());
      await d.deleteNetwork(ctx, n);
    } else {
      expect(r).toMatchObject({ ok: false, code: "KERNEL_FEATURE_MISSING", category: "unsupported" });
      const missing = hasVlan ? "ipvlan driver \\(CONFIG_IPVLAN, module ipvlan\\)" : "802.1Q VLAN \\(needed for the parent sub-interface\\) driver \\(CONFIG_VLAN_8021Q, module 8021q\\)";
      expect((r as { message: string }).message).toMatch(new RegExp(`cannot create ipvlan network 'ipvint1': this kernel has no ${missing}`));
    }
    expect(await linkNames(host)).toEqual(before);
    const r2 = await outcome(d.createNetwork(ctx, plain));
    if (hasIpvlan) {
      expect(r2).toEqual({ ok: true });
      await d.deleteNetwork(ctx, plain);
    } else {
      expect(r2).toMatchObject({ ok: false, code: "KERNEL_FEATURE_MISSING", message: expect.stringContaining("this kernel has no ipvlan driver (CONFIG_IPVLAN, module ipvlan)") as unknown });
    }
    expect(await linkNames(host)).toEqual(before);
  });

  it("an internal network without parent needs dummy: created where the kernel has it, else a clear error", async () => {
    const host = await env().netns("host");
    const hasDummy = await supports(host, ["probe0", "type", "dummy"]);
    const before = await linkNames(host);
    const ctx = ctxFor(host);
    const d = createIpvlanDriver();
    const n = net(2, {});
    const r = await outcome(d.createNetwork(ctx, n));
    if (!hasDummy) expect(r.ok).toBe(false);
    if (r.ok) {
      expect(await linkNames(host)).toContain(`di-${n.id.slice(0, 12)}`);
      await d.deleteNetwork(ctx, n);
    } else {
      expect(r.code).toBe("KERNEL_FEATURE_MISSING");
      expect(r.message).toMatch(hasDummy ? /no ipvlan driver/ : /no dummy \(needed for an ipvlan network without a parent\) driver \(CONFIG_DUMMY/);
    }
    expect(await linkNames(host)).toEqual(before);
  });

  it("refuses lo, a missing parent and bad options before touching the kernel", async () => {
    const host = await env().netns("host");
    const before = await linkNames(host);
    const ctx = ctxFor(host);
    const d = createIpvlanDriver();
    expect(await outcome(d.createNetwork(ctx, net(3, { parent: "lo" })))).toMatchObject({ code: "PARENT_NOT_ALLOWED", category: "forbidden" });
    expect(await outcome(d.createNetwork(ctx, net(3, { parent: "nope0.7" })))).toMatchObject({ code: "PARENT_NOT_FOUND", category: "invalid" });
    expect(await outcome(d.createNetwork(ctx, net(3, { parent: "lo", ipvlan_mode: "l9" })))).toMatchObject({ code: "INVALID_OPTION", message: expect.stringContaining("'l9'") as unknown });
    expect(await linkNames(host)).toEqual(before);
  });
});
