// Issue 17: a sandbox may not be created on the daemon's own namespace (a connect would put
// eth0 and a default route into the host) nor on one another sandbox already uses.
import { describe, expect, it } from "vitest";
import { createFakeKernel } from "@netd/kernel-fake";
import { testBed } from "../test-support/harness.js";

describe("sandboxes on a caller's namespace", () => {
  it("refuses the daemon's own namespace and one another sandbox already uses, changing nothing", async () => {
    const kernel = createFakeKernel();
    const bed = await testBed({ kernel });
    const before = kernel.snapshot();
    await expect(bed.controller.createSandbox({ name: "h", netns: kernel.hostNetns })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const mine = await kernel.netns.create("mine");
    await bed.controller.createSandbox({ name: "a", netns: mine });
    await expect(bed.controller.createSandbox({ name: "b", netns: mine })).rejects.toMatchObject({ code: "SANDBOX_EXISTS" });
    expect(bed.controller.listSandboxes().map((s) => s.name)).toEqual(["a"]);
    expect(Object.keys(kernel.snapshot().namespaces).sort()).toEqual([...Object.keys(before.namespaces), mine].sort());
    await bed.controller.close();
  });
});
