// The kill seam is inert unless asked for, and refuses a kill point it cannot honour (the
// kill itself is exercised by test/int/crash-points.int.test.ts against the real daemon).
import { describe, expect, it } from "vitest";
import { createFakeKernel } from "@netd/kernel-fake";
import { createMemoryStore } from "@netd/libnet-core";
import { killSeam } from "./kill-at.js";

describe("NETD_TEST_KILL_AT seam", () => {
  it("returns the kernel and the store untouched when unset", () => {
    const kernel = createFakeKernel();
    const store = createMemoryStore();
    const seam = killSeam(kernel, store, undefined);
    expect(seam.kernel).toBe(kernel);
    expect(seam.store).toBe(store);
  });

  it("refuses malformed specs and unknown kernel methods", () => {
    const kernel = createFakeKernel();
    const store = createMemoryStore();
    expect(() => killSeam(kernel, store, "links.addBridge")).toThrow(/kernel:<method>:<n>/);
    expect(() => killSeam(kernel, store, "kernel:links.addBridge:0")).toThrow(/kernel:<method>:<n>/);
    expect(() => killSeam(kernel, store, "kernel:links.nothing:1")).toThrow(/no method links.nothing/);
  });

  it("passes calls through until armed and the count is reached", async () => {
    const kernel = createFakeKernel();
    const store = createMemoryStore();
    // n = 1000: never reached here, so the wrapped calls must behave exactly like the originals.
    const seam = killSeam(kernel, store, "kernel:netns.create:1000");
    seam.arm();
    expect(await seam.kernel.netns.create("k1")).toBe("/run/netns/k1");
    expect(await seam.kernel.netns.exists("/run/netns/k1")).toBe(true);
    const s = killSeam(kernel, store, "store:intent:1000");
    await s.store.apply([{ op: "put", kind: "meta", id: "x", value: 1 }]);
    expect(await store.get("meta", "x")).toBe(1);
  });
});
