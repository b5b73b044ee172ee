// The Kernel as a whole: concurrent calls on one namespace share one serialized socket,
// and close() releases everything and refuses further use.
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { createLinuxKernel } from "../../src/index.js";
import { expectNetdError, ipAddrs } from "./helpers.js";

describe("kernel", () => {
  const env = useTestEnv("kern-all");

  it("serializes concurrent requests per namespace without mixing replies", async () => {
    const ns = await env().netns("p");
    const k = createLinuxKernel();
    try {
      await k.links.addBridge(ns.path, { name: "br0", up: true });
      const adds = Array.from({ length: 40 }, (_, i) => k.addresses.add(ns.path, "br0", `10.9.${i}.1/24`));
      const reads = Array.from({ length: 10 }, () => k.links.get(ns.path, "br0"));
      await Promise.all(adds);
      for (const r of await Promise.all(reads)) expect(r?.name).toBe("br0");
      expect((await ipAddrs(ns, "br0")).length).toBe(40);
      expect(await k.addresses.list(ns.path, "br0")).toHaveLength(40);
    } finally {
      await k.close();
    }
  });

  it("coalesces concurrent requests yet keeps each one's own reply and error", async () => {
    const ns = await env().netns("p");
    const k = createLinuxKernel();
    try {
      await k.links.addBridge(ns.path, { name: "br0", up: true });
      await k.addresses.add(ns.path, "br0", "10.8.0.1/24");
      // Issued together: one duplicate (EEXIST), one missing link, a dump and good ones in between.
      const results = await Promise.allSettled([
        k.addresses.add(ns.path, "br0", "10.8.1.1/24"),
        k.addresses.add(ns.path, "br0", "10.8.0.1/24"),
        k.addresses.add(ns.path, "nope0", "10.8.2.1/24"),
        k.links.list(ns.path),
        k.addresses.add(ns.path, "br0", "10.8.3.1/24"),
        k.links.set(ns.path, "br0", { mtu: 1400 }),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "ADDRESS_EXISTS" });
      expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: "LINK_NOT_FOUND" });
      expect(((results[3] as PromiseFulfilledResult<Array<{ name: string }>>).value).map((l) => l.name).sort()).toEqual(["br0", "lo"]);
      expect((await ipAddrs(ns, "br0")).sort()).toEqual(["10.8.0.1/24", "10.8.1.1/24", "10.8.3.1/24"]);
      expect((await k.links.get(ns.path, "br0"))?.mtu).toBe(1400);
    } finally {
      await k.close();
    }
  });

  it("finds a link again when it was deleted and re-created behind the Kernel's back (cached index)", async () => {
    const ns = await env().netns("p");
    const k = createLinuxKernel();
    try {
      await k.links.addBridge(ns.path, { name: "br0", up: true });
      await k.links.addBridge(ns.path, { name: "br1", up: true });
      await k.addresses.add(ns.path, "br0", "10.7.0.1/24");
      await k.routes.add(ns.path, { family: 4, to: "10.70.0.0/16", dev: "br0" });
      const before = (await k.links.get(ns.path, "br0"))!.index;
      for (const argv of [["link", "del", "br0"], ["link", "add", "br0", "type", "bridge"], ["link", "set", "br0", "up"]]) {
        const r = await ns.exec(["ip", ...argv]);
        expect(r.code, r.stderr).toBe(0);
      }
      // The cached index of br0 is stale now; every call must land on the new br0.
      await k.addresses.add(ns.path, "br0", "10.7.1.1/24");
      await k.routes.add(ns.path, { family: 4, to: "10.71.0.0/16", dev: "br0" });
      await k.links.set(ns.path, "br1", { master: "br0" }).catch(() => undefined); // a bridge cannot enslave a bridge; only the lookup matters
      await k.links.set(ns.path, "br0", { hairpin: false }).catch(() => undefined);
      const after = (await k.links.get(ns.path, "br0"))!.index;
      expect(after).not.toBe(before);
      expect(await ipAddrs(ns, "br0")).toEqual(["10.7.1.1/24"]);
      const routes = await k.routes.list(ns.path, 4);
      expect(routes.filter((r) => r.dev === "br0").map((r) => r.to)).toContain("10.71.0.0/16");
      await expectNetdError(k.addresses.add(ns.path, "gone0", "10.7.2.1/24"), "LINK_NOT_FOUND", "not_found");
    } finally {
      await k.close();
    }
  });

  it("close() releases the sockets and later calls fail with KERNEL_CLOSED", async () => {
    const ns = await env().netns("p");
    const k = createLinuxKernel();
    await k.links.list(ns.path);
    await k.close();
    await expectNetdError(k.links.list(ns.path), "KERNEL_CLOSED", "internal");
    await k.close();
  });
});
