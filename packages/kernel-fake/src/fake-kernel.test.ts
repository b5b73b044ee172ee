import { NetdError, type Kernel } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { createFakeKernel, KERNEL_METHODS } from "./index.js";
import { expectCode } from "./test-helpers.js";

const HOST = "/proc/self/ns/net";

describe("fake kernel: call log", () => {
  it("records every mutating call in order with copied arguments, failures included, reads excluded", async () => {
    const k = createFakeKernel();
    const spec = { name: "br0", mtu: 1500 };
    await k.links.addBridge(HOST, spec);
    spec.mtu = 9000;
    await k.links.list(HOST);
    await k.links.get(HOST, "br0");
    await expectCode(k.links.addBridge(HOST, { name: "br0" }), "LINK_EXISTS");
    await k.links.set(HOST, "br0", { up: true });
    await k.sysctl.get(HOST, "net.ipv4.ip_forward");
    expect(k.calls).toEqual([
      { seq: 1, method: "links.addBridge", args: [HOST, { name: "br0", mtu: 1500 }] },
      { seq: 2, method: "links.addBridge", args: [HOST, { name: "br0" }], error: { code: "LINK_EXISTS", message: expect.stringContaining("br0") as string } },
      { seq: 3, method: "links.set", args: [HOST, "br0", { up: true }] },
    ]);
    expect(k.callsTo("links.set")).toHaveLength(1);
    k.clearCalls();
    expect(k.calls).toEqual([]);
    await k.links.delete(HOST, "br0");
    expect(k.calls.map((c) => [c.seq, c.method])).toEqual([[4, "links.delete"]]);
  });

  it("is a Kernel and refuses use after close (close itself is idempotent)", async () => {
    const k = createFakeKernel();
    const asKernel: Kernel = k;
    await asKernel.close();
    await asKernel.close();
    expect(k.closed).toBe(true);
    await expectCode(k.links.list(HOST), "KERNEL_CLOSED", "internal");
    expect(k.calls.map((c) => c.method)).toEqual(["close", "close"]);
  });
});

describe("fake kernel: fault injection", () => {
  it("failNext makes the next call of one method throw, once, before it changes anything", async () => {
    const k = createFakeKernel();
    k.failNext("links.addBridge");
    const err = await expectCode(k.links.addBridge(HOST, { name: "br0" }), "KERNEL_ERROR", "kernel");
    expect(err.message).toContain("injected fault in links.addBridge");
    expect(await k.links.get(HOST, "br0")).toBeNull();
    expect(k.calls[0]!.error?.code).toBe("KERNEL_ERROR");
    await k.links.addBridge(HOST, { name: "br0" });
  });

  it("failNext takes an error or a function of the arguments, and queues in order", async () => {
    const k = createFakeKernel();
    const custom = new NetdError({ code: "EPERM_TEST", category: "kernel", message: "operation not permitted" });
    k.failNext("links.addBridge", custom);
    k.failNext("links.addBridge", (args) => new Error(`no ${(args[1] as { name: string }).name}`));
    await expect(k.links.addBridge(HOST, { name: "a" })).rejects.toBe(custom);
    await expect(k.links.addBridge(HOST, { name: "b" })).rejects.toThrow("no b");
    await k.links.addBridge(HOST, { name: "c" });
    expect((await k.links.list(HOST)).map((l) => l.name)).toEqual(["lo", "c"]);
  });

  it("failNext works for reads too and rejects unknown method names", async () => {
    const k = createFakeKernel();
    k.failNext("netns.exists");
    await expectCode(k.netns.exists(HOST), "KERNEL_ERROR");
    expect(await k.netns.exists(HOST)).toBe(true);
    expect(() => k.failNext("links.addVet" as never)).toThrow(/unknown Kernel method/);
    expect(KERNEL_METHODS).toContain("nft.updateElements");
  });

  it("failWhen fails every matching call until removed", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    const remove = k.failWhen(({ method, args }) => method === "addresses.add" && args[0] === c);
    await k.links.addBridge(HOST, { name: "br0" });
    await k.links.addVeth(HOST, { name: "vh0", peer: { name: "eth0", netns: c } });
    await k.addresses.add(HOST, "br0", "10.0.0.1/24");
    await expectCode(k.addresses.add(c, "eth0", "10.0.0.2/24"), "KERNEL_ERROR");
    await expectCode(k.addresses.add(c, "eth0", "10.0.0.3/24"), "KERNEL_ERROR");
    remove();
    await k.addresses.add(c, "eth0", "10.0.0.2/24");
    const custom = new Error("ENOBUFS");
    k.failWhen(({ method }) => (method === "routes.add" ? custom : undefined));
    await expect(k.routes.add(HOST, { to: "10.5.0.0/16", family: 4, dev: "br0" })).rejects.toBe(custom);
    k.clearFaults();
    await k.links.set(HOST, "br0", { up: true });
    await k.routes.add(HOST, { to: "10.5.0.0/16", family: 4, dev: "br0" });
  });
});

describe("fake kernel: snapshot", () => {
  it("is a deep copy that later calls do not change, and equal states compare equal", async () => {
    const build = async (order: "ab" | "ba") => {
      const k = createFakeKernel();
      for (const name of order === "ab" ? ["a", "b"] : ["b", "a"]) {
        await k.links.addBridge(HOST, { name: `br-${name}`, mac: name === "a" ? "02:00:00:00:00:0a" : "02:00:00:00:00:0b" });
        await k.sysctl.set(HOST, `net.ipv4.conf.br-${name}.forwarding`, "1");
      }
      return k;
    };
    const k1 = await build("ab");
    const k2 = await build("ba");
    const s1 = k1.snapshot();
    const s2 = k2.snapshot();
    // Indexes follow creation order, so compare everything but them.
    const noIndex = (s: typeof s1) => JSON.parse(JSON.stringify(s, (key, v: unknown) => (key === "index" || key === "parentIndex" ? undefined : v))) as unknown;
    expect(noIndex(s1)).toEqual(noIndex(s2));
    await k1.links.delete(HOST, "br-a");
    expect(s1.namespaces[HOST]!.links.map((l) => l.name)).toEqual(["br-a", "br-b", "lo"]);
    expect(Object.keys(s1.namespaces[HOST]!.sysctls)).toEqual(["net.ipv4.conf.br-a.forwarding", "net.ipv4.conf.br-b.forwarding"]);
    expect(k1.snapshot().namespaces[HOST]!.links.map((l) => l.name)).toEqual(["br-b", "lo"]);
    expect(JSON.parse(JSON.stringify(s1))).toEqual(s1);
  });

  it("returns to the initial state after a full create/delete cycle", async () => {
    const k = createFakeKernel();
    const initial = k.snapshot();
    const c = await k.netns.create("c");
    await k.links.addBridge(HOST, { name: "br0", up: true });
    await k.links.addVeth(HOST, { name: "vh0", master: "br0", peer: { name: "eth0", netns: c } });
    await k.addresses.add(HOST, "br0", "10.0.0.1/24");
    await k.nft.replaceTable(HOST, { family: "inet", name: "netd" }, (await import("@netd/driverapi")).nft`set s { type ipv4_addr; }`);
    await k.nft.deleteTable(HOST, { family: "inet", name: "netd" });
    await k.links.delete(HOST, "vh0");
    await k.links.delete(HOST, "br0");
    await k.netns.delete(c);
    expect(k.snapshot()).toEqual(initial);
  });
});
