// Restore's namespace sweep (issue 17, D4 without its intent): a namespace that carries netd's
// name (`<prefix><12 hex>`) but that no sandbox record names is removed at start, and so is
// such a name that is a plain file rather than a namespace; one with
// links in it, one of another prefix and the sandboxes' own namespaces stay.
import { describe, expect, it } from "vitest";
import { createFakeKernel } from "@netd/kernel-fake";
import { createMemoryStore } from "./store/memory-store.js";
import { testBed } from "./test-support/harness.js";

describe("restore: orphan namespace sweep", () => {
  it("removes netd-named namespaces no sandbox names, and nothing else", async () => {
    const kernel = createFakeKernel();
    const store = createMemoryStore();
    const first = await testBed({ kernel, store });
    const sb = await first.controller.createSandbox({ name: "kept" });
    // What a sandbox create leaves when the daemon dies after netns.create and its intent is gone.
    await kernel.netns.create("netd-0123456789ab");
    // What a create or delete killed between its mount and file steps leaves: a plain file.
    kernel.seedStaleNetnsFile("netd-00000000beef");
    // Same pattern but in use (something put a link there): left alone.
    const busy = await kernel.netns.create("netd-aaaaaaaaaaaa");
    kernel.seedLink(busy, { name: "dummy0", kind: "dummy" });
    // Not netd's names.
    await kernel.netns.create("netd-user");
    await kernel.netns.create("other-0123456789ab");
    await first.controller.close();

    const second = await testBed({ kernel, store });
    expect(await kernel.netns.list()).toEqual(["netd-aaaaaaaaaaaa", sb.netns.replace("/run/netns/", ""), "netd-user", "other-0123456789ab"].sort());
    expect(second.controller.listSandboxes().map((s) => s.name)).toEqual(["kept"]);
    await second.controller.close();
  });
});
