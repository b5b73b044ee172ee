import { describe, expect, it } from "vitest";
import { createFakeKernel } from "./index.js";
import { expectCode } from "./test-helpers.js";

const HOST = "/proc/self/ns/net";

describe("fake kernel: bridges and link names", () => {
  it("adds a bridge with defaults and the given attributes", async () => {
    const k = createFakeKernel();
    const br = await k.links.addBridge(HOST, { name: "br0" });
    expect(br).toMatchObject({ name: "br0", kind: "bridge", up: false, mtu: 1500, master: null, parentIndex: null });
    expect(br.mac).toMatch(/^02:fa(:[0-9a-f]{2}){4}$/);
    const br1 = await k.links.addBridge(HOST, { name: "br1", mtu: 9000, mac: "02:42:AC:11:00:01", up: true });
    expect(br1).toMatchObject({ mtu: 9000, mac: "02:42:ac:11:00:01", up: true });
    expect(br1.index).not.toBe(br.index);
    expect(await k.links.get(HOST, "br1")).toEqual(br1);
    expect((await k.links.list(HOST)).map((l) => l.name)).toEqual(["lo", "br0", "br1"]);
  });

  it("refuses a duplicate name in the same namespace with LINK_EXISTS, but allows it elsewhere", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.links.addBridge(HOST, { name: "br0" });
    await expectCode(k.links.addBridge(HOST, { name: "br0" }), "LINK_EXISTS", "conflict");
    await expectCode(k.links.addBridge(HOST, { name: "lo" }), "LINK_EXISTS");
    await k.links.addBridge(c, { name: "br0" });
  });

  it("validates names (1-15 bytes, no '/', ':' or whitespace), MTU and MAC", async () => {
    const k = createFakeKernel();
    for (const name of ["", "a".repeat(16), "ä".repeat(8), "a/b", "a b", "a:b", "a\tb", ".", ".."]) {
      await expectCode(k.links.addBridge(HOST, { name }), "INVALID_INTERFACE_NAME", "invalid");
    }
    await k.links.addBridge(HOST, { name: "a".repeat(15) });
    for (const mtu of [0, 67, 65536, 1500.5]) await expectCode(k.links.addBridge(HOST, { name: "b", mtu }), "INVALID_MTU");
    for (const mac of ["02:42:ac:11:00", "zz:42:ac:11:00:01", "01:00:5e:00:00:01", "00:00:00:00:00:00"]) {
      await expectCode(k.links.addBridge(HOST, { name: "b", mac }), "INVALID_MAC");
    }
    expect(await k.links.get(HOST, "b")).toBeNull();
  });

  it("refuses to delete a bridge that still has ports (BRIDGE_HAS_PORTS), then deletes it once empty", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.links.addBridge(HOST, { name: "br0" });
    await k.links.addVeth(HOST, { name: "vh0", master: "br0", peer: { name: "eth0", netns: c } });
    const err = await expectCode(k.links.delete(HOST, "br0"), "BRIDGE_HAS_PORTS", "forbidden");
    expect(err.message).toContain("vh0");
    await k.links.set(HOST, "vh0", { master: null });
    await k.links.delete(HOST, "br0");
    expect(await k.links.get(HOST, "br0")).toBeNull();
  });

  it("deletes missing links silently but refuses lo", async () => {
    const k = createFakeKernel();
    await k.links.delete(HOST, "nothing");
    expect((await expectCode(k.links.delete(HOST, "lo"), "KERNEL_ERROR", "kernel")).message).toMatch(/lo cannot be deleted/);
  });
});

describe("fake kernel: veth pairs", () => {
  it("creates both ends, the peer inside its namespace, pointing at each other", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.links.addBridge(HOST, { name: "br0" });
    const host = await k.links.addVeth(HOST, { name: "vh0", mtu: 1400, master: "br0", peer: { name: "eth0", netns: c, mac: "02:00:00:00:00:02" } });
    const peer = (await k.links.get(c, "eth0"))!;
    expect(host).toMatchObject({ kind: "veth", master: "br0", up: true, mtu: 1400, parentIndex: peer.index });
    expect(peer).toMatchObject({ kind: "veth", master: null, up: false, mtu: 1400, mac: "02:00:00:00:00:02", parentIndex: host.index });
    expect(await k.links.get(HOST, "eth0")).toBeNull();
    expect(k.snapshot().namespaces[c]!.links.find((l) => l.name === "eth0")!.peer).toEqual({ netns: HOST, name: "vh0" });
  });

  it("brings the host end up only when asked or when enslaved", async () => {
    const k = createFakeKernel();
    expect((await k.links.addVeth(HOST, { name: "a0", peer: { name: "a1", netns: HOST } })).up).toBe(false);
    expect((await k.links.addVeth(HOST, { name: "b0", up: true, peer: { name: "b1", netns: HOST } })).up).toBe(true);
  });

  it("checks both names before creating anything", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.links.addBridge(c, { name: "eth0" });
    await expectCode(k.links.addVeth(HOST, { name: "vh0", peer: { name: "eth0", netns: c } }), "LINK_EXISTS");
    await expectCode(k.links.addVeth(HOST, { name: "x", peer: { name: "x", netns: HOST } }), "LINK_EXISTS");
    await expectCode(k.links.addVeth(HOST, { name: "vh0", peer: { name: "bad name", netns: c } }), "INVALID_INTERFACE_NAME");
    expect(await k.links.get(HOST, "vh0")).toBeNull();
  });

  it("requires the master to be a bridge in the same namespace", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.links.addBridge(c, { name: "br0" });
    await expectCode(k.links.addVeth(HOST, { name: "vh0", master: "br0", peer: { name: "eth0", netns: c } }), "LINK_NOT_FOUND", "not_found");
    await k.links.addVeth(HOST, { name: "v1", peer: { name: "v2", netns: HOST } });
    expect((await expectCode(k.links.addVeth(HOST, { name: "vh0", master: "v1", peer: { name: "eth0", netns: c } }), "KERNEL_ERROR")).message).toMatch(/not a bridge/);
    expect(await k.links.get(c, "eth0")).toBeNull();
  });

  it("deleting either end removes the pair (each end lives in exactly one namespace)", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.links.addVeth(HOST, { name: "vh0", peer: { name: "eth0", netns: c } });
    await k.links.delete(c, "eth0");
    expect(await k.links.get(HOST, "vh0")).toBeNull();
    await k.links.addVeth(HOST, { name: "vh0", peer: { name: "eth0", netns: c } });
    await k.addresses.add(c, "eth0", "10.0.0.2/24");
    await k.sysctl.set(c, "net.ipv6.conf.eth0.disable_ipv6", "1");
    await k.links.delete(HOST, "vh0");
    expect(await k.links.get(c, "eth0")).toBeNull();
    expect(await k.addresses.list(c)).toEqual([]);
    expect(k.snapshot().namespaces[c]!.sysctls).toEqual({});
  });
});

describe("fake kernel: ipvlan, macvlan and vlan children", () => {
  it("creates children of a parent, optionally inside another namespace, with Linux default modes", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    const eth = k.seedLink(HOST, { name: "eth0", mtu: 9000 });
    const ipv = await k.links.addChild(HOST, { name: "ipv0", parent: "eth0", kind: "ipvlan", netns: c });
    expect(ipv).toMatchObject({ kind: "ipvlan", parentIndex: eth.index, mtu: 9000 });
    expect(await k.links.get(HOST, "ipv0")).toBeNull();
    await k.links.addChild(HOST, { name: "mv0", parent: "eth0", kind: "macvlan", mode: "bridge", mtu: 1500 });
    await k.links.addChild(HOST, { name: "eth0.10", parent: "eth0", kind: "vlan", vlanId: 10 });
    const snap = k.snapshot();
    expect(snap.namespaces[c]!.links.find((l) => l.name === "ipv0")).toMatchObject({ mode: "l3", peer: { netns: HOST, name: "eth0" } });
    expect(snap.namespaces[HOST]!.links.find((l) => l.name === "mv0")).toMatchObject({ mode: "bridge" });
    expect(snap.namespaces[HOST]!.links.find((l) => l.name === "eth0.10")).toMatchObject({ vlanId: 10, mode: null });
  });

  it("validates kind, mode, vlan id, parent and MTU", async () => {
    const k = createFakeKernel();
    k.seedLink(HOST, { name: "eth0" });
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth1", kind: "ipvlan" }), "LINK_NOT_FOUND");
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "lo", kind: "ipvlan" }), "KERNEL_ERROR");
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth0", kind: "ipvlan", mode: "bridge" }), "INVALID_LINK_MODE");
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth0", kind: "vlan" }), "INVALID_VLAN_ID");
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth0", kind: "vlan", vlanId: 4095 }), "INVALID_VLAN_ID");
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth0", kind: "macvlan", vlanId: 3 }), "INVALID_VLAN_ID");
    expect((await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth0", kind: "macvlan", mtu: 1501 }), "KERNEL_ERROR")).message).toMatch(/exceeds its parent/);
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth0", kind: "bond" as "vlan" }), "INVALID_LINK_MODE");
    await expectCode(k.links.addChild(HOST, { name: "eth0", parent: "eth0", kind: "macvlan" }), "LINK_EXISTS");
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "eth0", kind: "ipvlan", netns: "/run/netns/none" }), "NETNS_NOT_FOUND");
  });

  it("deleting the parent removes its children in every namespace", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    k.seedLink(HOST, { name: "dummy0", kind: "dummy" });
    await k.links.addChild(HOST, { name: "ipv0", parent: "dummy0", kind: "ipvlan", netns: c });
    await k.links.addChild(HOST, { name: "ipv1", parent: "dummy0", kind: "ipvlan" });
    await k.links.delete(HOST, "dummy0");
    expect((await k.links.list(c)).map((l) => l.name)).toEqual(["lo"]);
    expect((await k.links.list(HOST)).map((l) => l.name)).toEqual(["lo"]);
  });
});

describe("fake kernel: dummy links, ipvlan flags and missing link kinds", () => {
  it("creates dummies, records the ipvlan flag and refuses kinds the kernel lacks", async () => {
    const k = createFakeKernel();
    expect(await k.links.addDummy(HOST, { name: "dm0", up: true })).toMatchObject({ kind: "dummy", up: true });
    await k.links.addChild(HOST, { name: "ipv0", parent: "dm0", kind: "ipvlan", mode: "l2", flag: "vepa" });
    await k.links.addChild(HOST, { name: "ipv1", parent: "dm0", kind: "ipvlan" });
    const links = k.snapshot().namespaces[HOST]!.links;
    expect(links.find((l) => l.name === "ipv0")).toMatchObject({ mode: "l2", flag: "vepa" });
    expect(links.find((l) => l.name === "ipv1")).toMatchObject({ mode: "l3", flag: "bridge" });
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "dm0", kind: "ipvlan", flag: "weird" }), "INVALID_LINK_MODE");
    await expectCode(k.links.addChild(HOST, { name: "x", parent: "dm0", kind: "macvlan", flag: "vepa" }), "INVALID_LINK_MODE");
    await expectCode(k.links.addDummy(HOST, { name: "dm0" }), "LINK_EXISTS");

    const bare = createFakeKernel({ missingLinkKinds: ["ipvlan", "dummy"] });
    bare.seedLink(HOST, { name: "eth0", kind: "veth" });
    const e1 = await expectCode(bare.links.addDummy(HOST, { name: "dm0" }), "LINK_KIND_UNSUPPORTED");
    expect(e1.message).toContain("no dummy driver");
    await expectCode(bare.links.addChild(HOST, { name: "x", parent: "eth0", kind: "ipvlan" }), "LINK_KIND_UNSUPPORTED");
    await bare.links.addChild(HOST, { name: "eth0.10", parent: "eth0", kind: "vlan", vlanId: 10 });
    expect((await bare.links.list(HOST)).map((l) => l.name).sort()).toEqual(["eth0", "eth0.10", "lo"]);
  });
});

describe("fake kernel: links.set", () => {
  it("changes up, mtu, mac, master and hairpin in one call", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0" });
    await k.links.addVeth(HOST, { name: "v0", peer: { name: "v1", netns: HOST } });
    await k.links.set(HOST, "v0", { up: true, mtu: 1450, mac: "02:00:00:00:00:09", master: "br0", hairpin: true });
    expect(await k.links.get(HOST, "v0")).toMatchObject({ up: true, mtu: 1450, mac: "02:00:00:00:00:09", master: "br0" });
    expect(k.snapshot().namespaces[HOST]!.links.find((l) => l.name === "v0")!.hairpin).toBe(true);
    await k.links.set(HOST, "v0", { master: null });
    expect(k.snapshot().namespaces[HOST]!.links.find((l) => l.name === "v0")).toMatchObject({ master: null, hairpin: false });
  });

  it("validates everything before changing anything", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0" });
    await k.links.addVeth(HOST, { name: "v0", peer: { name: "v1", netns: HOST } });
    await expectCode(k.links.set(HOST, "v0", { mtu: 1400, master: "nope" }), "LINK_NOT_FOUND");
    await expectCode(k.links.set(HOST, "v0", { mtu: 1400, master: "v1" }), "KERNEL_ERROR");
    expect((await expectCode(k.links.set(HOST, "v0", { mtu: 1400, hairpin: true }), "KERNEL_ERROR")).message).toMatch(/bridge port/);
    await expectCode(k.links.set(HOST, "br0", { master: "br0" }), "KERNEL_ERROR");
    await k.links.addBridge(HOST, { name: "br1" });
    await expectCode(k.links.set(HOST, "br1", { master: "br0" }), "KERNEL_ERROR");
    await expectCode(k.links.set(HOST, "v0", { mtu: 1400, mac: "nope" }), "INVALID_MAC");
    await expectCode(k.links.set(HOST, "gone", { up: true }), "LINK_NOT_FOUND");
    expect((await k.links.get(HOST, "v0"))!.mtu).toBe(1500);
  });

  it("renames a down link and carries addresses, routes, ports and sysctls along; refuses while up", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0", up: true });
    await k.links.addVeth(HOST, { name: "v0", master: "br0", peer: { name: "v1", netns: HOST } });
    await k.addresses.add(HOST, "br0", "10.1.0.1/24");
    await k.routes.add(HOST, { to: "10.2.0.0/24", family: 4, via: "10.1.0.9" });
    await k.sysctl.set(HOST, "net.ipv4.conf.br0.route_localnet", "1");
    expect((await expectCode(k.links.set(HOST, "br0", { name: "br9" }), "KERNEL_ERROR", "kernel")).details).toMatchObject({ errno: 16 });
    await k.links.set(HOST, "br0", { up: false });
    await expectCode(k.links.set(HOST, "br0", { name: "v1" }), "LINK_EXISTS");
    await k.links.set(HOST, "br0", { name: "br9", up: true });
    const snap = k.snapshot().namespaces[HOST]!;
    expect(snap.links.map((l) => l.name)).toEqual(["br9", "lo", "v0", "v1"]);
    expect(snap.links.find((l) => l.name === "v0")!.master).toBe("br9");
    expect(snap.addresses).toEqual([{ link: "br9", address: "10.1.0.1/24", family: 4 }]);
    expect(snap.routes).toEqual([{ to: "10.2.0.0/24", family: 4, via: "10.1.0.9", dev: "br9", metric: 0, table: 254 }]);
    expect(snap.sysctls).toEqual({ "net.ipv4.conf.br9.route_localnet": "1" });
  });
});
