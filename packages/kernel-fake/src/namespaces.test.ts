import { describe, expect, it } from "vitest";
import { createFakeKernel } from "./index.js";
import { expectCode } from "./test-helpers.js";

const HOST = "/proc/self/ns/net";

describe("fake kernel: namespaces", () => {
  it("seeds the host namespace with lo up, at the default or given path", async () => {
    const k = createFakeKernel();
    expect(await k.netns.exists(HOST)).toBe(true);
    expect(await k.links.list(HOST)).toEqual([{ index: 1, name: "lo", kind: "", up: true, mtu: 65536, mac: "", master: null, parentIndex: null }]);
    const other = createFakeKernel({ hostNetns: "/proc/1/ns/net", netns: ["/proc/42/ns/net"] });
    expect(await other.netns.exists("/proc/1/ns/net")).toBe(true);
    expect(await other.netns.exists("/proc/42/ns/net")).toBe(true);
    expect(await other.netns.exists(HOST)).toBe(false);
  });

  it("creates /run/netns/NAME with lo; a duplicate fails with NETNS_EXISTS", async () => {
    const k = createFakeKernel();
    const path = await k.netns.create("c1");
    expect(path).toBe("/run/netns/c1");
    expect(await k.netns.exists(path)).toBe(true);
    expect((await k.links.get(path, "lo"))?.up).toBe(true);
    await expectCode(k.netns.create("c1"), "NETNS_EXISTS", "conflict");
  });

  it("validates namespace names", async () => {
    const k = createFakeKernel();
    for (const bad of ["", "a/b", "a b", ".", "..", "x".repeat(256)]) await expectCode(k.netns.create(bad), "INVALID_NETNS", "invalid");
  });

  it("fails every operation on an unknown namespace with NETNS_NOT_FOUND", async () => {
    const k = createFakeKernel();
    const ns = "/run/netns/nope";
    await expectCode(k.links.list(ns), "NETNS_NOT_FOUND", "not_found");
    await expectCode(k.links.addBridge(ns, { name: "br0" }), "NETNS_NOT_FOUND");
    await expectCode(k.links.delete(ns, "x"), "NETNS_NOT_FOUND");
    await expectCode(k.addresses.add(ns, "lo", "10.0.0.1/8"), "NETNS_NOT_FOUND");
    await expectCode(k.routes.list(ns, 4), "NETNS_NOT_FOUND");
    await expectCode(k.sysctl.set(ns, "net.ipv4.ip_forward", "1"), "NETNS_NOT_FOUND");
    await expectCode(k.nft.deleteTable(ns, { family: "inet", name: "netd" }), "NETNS_NOT_FOUND");
    await expectCode(k.conntrack.delete(ns, { family: 4, protocol: "tcp" }), "NETNS_NOT_FOUND");
    await expectCode(k.links.addVeth(HOST, { name: "v0", peer: { name: "eth0", netns: ns } }), "NETNS_NOT_FOUND");
    expect(await k.netns.exists(ns)).toBe(false);
    await expectCode(k.links.list("c1"), "INVALID_NETNS", "invalid");
  });

  it("delete is idempotent, accepts names and paths, and refuses the host namespace", async () => {
    const k = createFakeKernel();
    await k.netns.create("b");
    await k.netns.create("a");
    // list names /run/netns entries only (not the host's /proc path), sorted.
    expect(await k.netns.list()).toEqual(["a", "b"]);
    await k.netns.delete("a");
    await k.netns.delete("/run/netns/b");
    await k.netns.delete("a");
    expect(await k.netns.exists("/run/netns/a")).toBe(false);
    expect(await k.netns.exists("/run/netns/b")).toBe(false);
    expect(await k.netns.list()).toEqual([]);
    await expectCode(k.netns.delete(HOST), "INVALID_NETNS");
  });

  it("deleting a namespace destroys veth peers that live elsewhere, with their addresses and routes", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.links.addBridge(HOST, { name: "br0", up: true });
    await k.links.addVeth(HOST, { name: "vh0", master: "br0", peer: { name: "eth0", netns: c } });
    await k.addresses.add(HOST, "vh0", "10.9.0.1/24");
    await k.routes.add(HOST, { to: "10.8.0.0/24", family: 4, dev: "vh0" });
    await k.netns.delete(c);
    expect(await k.links.get(HOST, "vh0")).toBeNull();
    expect(await k.addresses.list(HOST)).toEqual([]);
    expect(await k.routes.list(HOST, 4)).toEqual([]);
    await k.links.delete(HOST, "br0");
  });

  it("seedNetns adds a runtime-made namespace without recording a call", async () => {
    const k = createFakeKernel();
    k.seedNetns("/proc/4242/ns/net");
    expect(await k.netns.exists("/proc/4242/ns/net")).toBe(true);
    expect(k.calls).toEqual([]);
    expect(() => k.seedNetns("/proc/4242/ns/net")).toThrow(/already exists/);
  });
});
