import { describe, expect, it } from "vitest";
import { testBed } from "../test-support/harness.js";

describe("sandboxes on caller-given namespaces", () => {
  it("refuses a namespace another sandbox uses, the host's, and a missing one; frees it on delete", async () => {
    const bed = await testBed();
    const a = await bed.kernel.netns.create("ns-a");
    const b = await bed.kernel.netns.create("ns-b");
    await bed.controller.createSandbox({ name: "one", netns: a });
    await expect(bed.controller.createSandbox({ name: "two", netns: a })).rejects.toThrow(/already used by sandbox 'one'/);
    await expect(bed.controller.createSandbox({ name: "two", netns: "/proc/self/ns/net" })).rejects.toThrow(/netd's own host namespace/);
    await expect(bed.controller.createSandbox({ name: "two", netns: "/run/netns/nope" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await bed.controller.createSandbox({ name: "two", netns: b });
    await bed.controller.deleteSandbox("one");
    // The namespace of a deleted sandbox is free again (the identity cache forgets it).
    await bed.controller.createSandbox({ name: "three", netns: a });
    await expect(bed.controller.createSandbox({ name: "four", netns: b })).rejects.toMatchObject({ code: "SANDBOX_EXISTS" });
  });

  it("reads each sandbox's namespace identity once, not once per later create", async () => {
    const bed = await testBed();
    const netnsApi = bed.kernel.netns;
    const identity = netnsApi.identity.bind(netnsApi);
    let calls = 0;
    netnsApi.identity = (path) => {
      calls++;
      return identity(path);
    };
    const perCreate: number[] = [];
    for (let i = 0; i < 40; i++) {
      const ns = await bed.kernel.netns.create(`ns-${i}`);
      const before = calls;
      await bed.controller.createSandbox({ name: `s${i}`, netns: ns });
      perCreate.push(calls - before);
    }
    // The new namespace, the host's once, then one read of the sandbox made just before.
    expect(Math.max(...perCreate.slice(1))).toBeLessThanOrEqual(2);
  });
});
