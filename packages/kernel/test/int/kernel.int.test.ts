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

  it("close() releases the sockets and later calls fail with KERNEL_CLOSED", async () => {
    const ns = await env().netns("p");
    const k = createLinuxKernel();
    await k.links.list(ns.path);
    await k.close();
    await expectNetdError(k.links.list(ns.path), "KERNEL_CLOSED", "internal");
    await k.close();
  });
});
