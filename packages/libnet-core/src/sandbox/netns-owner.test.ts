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
    // The new namespace and the host's once: a sandbox's identity is kept from its own create.
    expect(perCreate[0]).toBe(2);
    expect(Math.max(...perCreate.slice(1))).toBe(1);
  });

  it("reads a namespace netd made once, at the next create on a caller's namespace, and refuses it", async () => {
    const bed = await testBed();
    const own = await bed.controller.createSandbox({ name: "own" });
    const netnsApi = bed.kernel.netns;
    const identity = netnsApi.identity.bind(netnsApi);
    const paths: string[] = [];
    netnsApi.identity = (path) => {
      paths.push(path);
      return identity(path);
    };
    await expect(bed.controller.createSandbox({ name: "copy", netns: own.netns })).rejects.toThrow(/already used by sandbox 'own'/);
    // The given path, the host's, the unread sandbox's, then its live re-check before refusing.
    expect(paths).toHaveLength(4);
    expect([paths[0], paths[2], paths[3]]).toEqual([own.netns, own.netns, own.netns]);
    paths.length = 0;
    const other = await bed.kernel.netns.create("ns-other");
    await bed.controller.createSandbox({ name: "other", netns: other });
    expect(paths).toEqual([other]);
  });

  it("after a restart, reads the restored sandboxes' namespaces once and still refuses a used one", async () => {
    const bed = await testBed();
    const a = await bed.kernel.netns.create("ns-a");
    await bed.controller.createSandbox({ name: "one", netns: a });
    await bed.controller.close();
    const again = await testBed({ store: bed.store, kernel: bed.kernel });
    await expect(again.controller.createSandbox({ name: "two", netns: a })).rejects.toThrow(/already used by sandbox 'one'/);
    await again.controller.deleteSandbox("one");
    await again.controller.createSandbox({ name: "two", netns: a });
  });
});
