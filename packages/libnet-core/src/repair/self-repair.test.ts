import type { Driver } from "@netd/driverapi";
import { API_VERSION, nft } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { afterEach, describe, expect, it } from "vitest";
import { Controller } from "../controller.js";
import { createMemoryStore } from "../store/memory-store.js";
import type { SelfRepair } from "./self-repair.js";

const T = { family: "inet" as const, name: "netdtest" };

/** A driver owning one nft table that it re-creates in reconcile when it is gone. */
function tableDriver(kernel: FakeKernel, counts: { reconcile: number }): Driver {
  return {
    name: "tables",
    apiVersion: API_VERSION,
    capabilities: { scope: "local", needsGatewayAddress: false, publishesPorts: false, supportsIPv4: true, supportsIPv6: true },
    createNetwork: () => Promise.resolve(),
    deleteNetwork: () => Promise.resolve(),
    join: () => Promise.resolve({ interfaceName: "eth0", gateway4: null, gateway6: null }),
    leave: () => Promise.resolve(),
    async reconcile(ctx) {
      counts.reconcile++;
      if ((await ctx.kernel.nft.listTable(ctx.hostNetns, T)) !== null) return false;
      await kernel.nft.replaceTable(ctx.hostNetns, T, nft`chain c {\n}`);
      return true;
    },
  };
}

describe("self-repair", () => {
  let repair: SelfRepair | null = null;
  afterEach(async () => {
    await repair?.stop();
    repair = null;
  });

  it("asks drivers only when the nft generation changed, and reports what they repaired", async () => {
    const kernel = createFakeKernel();
    const counts = { reconcile: 0 };
    const controller = await Controller.open({ kernel, store: createMemoryStore(), drivers: [tableDriver(kernel, counts)] });
    const repaired: string[][] = [];
    repair = controller.startSelfRepair({ intervalMs: 20, onRepaired: (d) => repaired.push([...d]) });
    await new Promise((r) => setTimeout(r, 100));
    // The first tick re-created the table (it did not exist), then the generation settled.
    expect(repaired).toEqual([["tables"]]);
    const settled = counts.reconcile;
    await new Promise((r) => setTimeout(r, 200));
    expect(counts.reconcile).toBeLessThanOrEqual(settled + 1);

    await kernel.nft.deleteTable(kernel.hostNetns, T);
    const t0 = Date.now();
    while (repaired.length < 2 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(repaired).toEqual([["tables"], ["tables"]]);
    expect(await kernel.nft.listTable(kernel.hostNetns, T)).not.toBeNull();
    expect(await repair.checkNow()).toEqual([]);
  });

  it("checks every tick when the Kernel cannot tell the generation", async () => {
    const kernel = createFakeKernel();
    const counts = { reconcile: 0 };
    const { generation: _g, foreignChanges: _f, ...nft } = kernel.nft;
    const blind = { ...kernel, nft };
    const controller = await Controller.open({ kernel: blind, store: createMemoryStore(), drivers: [tableDriver(kernel, counts)] });
    repair = controller.startSelfRepair({ intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 150));
    expect(counts.reconcile).toBeGreaterThan(3);
    await repair.stop();
    const stopped = counts.reconcile;
    await new Promise((r) => setTimeout(r, 60));
    expect(counts.reconcile).toBe(stopped);
  });
});
