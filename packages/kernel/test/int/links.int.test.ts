// links.*: bridges, veths born in the peer namespace, children, changes, reads — each
// result read back with `ip -j` inside namespaces the test created.
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { expectNetdError, ipLink, ipLinks, useKernel } from "./helpers.js";

describe("links", () => {
  const env = useTestEnv("kern-links");
  const kernel = useKernel();

  it("addBridge creates a bridge with MTU, MAC and up", async () => {
    const host = await env().netns("h");
    const info = await kernel().links.addBridge(host.path, { name: "br0", mtu: 1400, mac: "02:00:00:00:00:01", up: true });
    expect(info).toMatchObject({ name: "br0", kind: "bridge", mtu: 1400, mac: "02:00:00:00:00:01", master: null });
    const ip = await ipLink(host, "br0");
    expect(ip?.linkinfo?.info_kind).toBe("bridge");
    expect(ip?.mtu).toBe(1400);
    expect(ip?.address).toBe("02:00:00:00:00:01");
    expect(ip?.flags).toContain("UP");
    const again = await expectNetdError(kernel().links.addBridge(host.path, { name: "br0" }), "LINK_EXISTS", "conflict");
    expect(again.message).toContain("File exists (errno 17)");
    expect(again.details).toMatchObject({ op: "add bridge", errno: 17 });
  });

  it("addVeth creates the peer inside the container namespace, enslaved and up on the host side", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await kernel().links.addBridge(host.path, { name: "br0", up: true });
    const info = await kernel().links.addVeth(host.path, {
      name: "vh0",
      master: "br0",
      up: true,
      mtu: 1450,
      peer: { name: "eth0", netns: ctr.path, mac: "02:00:00:00:00:02", mtu: 1450 },
    });
    expect(info).toMatchObject({ name: "vh0", kind: "veth", up: true, master: "br0", mtu: 1450 });
    const hostEnd = await ipLink(host, "vh0");
    expect(hostEnd?.master).toBe("br0");
    expect(hostEnd?.flags).toContain("UP");
    const peer = await ipLink(ctr, "eth0");
    expect(peer?.linkinfo?.info_kind).toBe("veth");
    expect(peer?.address).toBe("02:00:00:00:00:02");
    expect(peer?.mtu).toBe(1450);
    expect(await ipLink(host, "eth0")).toBeUndefined();
    const dup = await expectNetdError(
      kernel().links.addVeth(host.path, { name: "vh0", peer: { name: "eth1", netns: ctr.path } }),
      "LINK_EXISTS",
      "conflict",
    );
    expect(dup.message).toMatch(/failed to add veth vh0 \(peer eth1 in \/run\/netns\/.*\) in .*: File exists \(errno 17\)/);
    await expectNetdError(kernel().links.addVeth(host.path, { name: "vh1", master: "nobr", peer: { name: "e1", netns: ctr.path } }), "LINK_NOT_FOUND", "not_found");
    expect(await ipLink(host, "vh1")).toBeUndefined();
  });

  it("get and list read links back, with master names and kinds", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await kernel().links.addBridge(host.path, { name: "br0" });
    await kernel().links.addVeth(host.path, { name: "vh0", master: "br0", peer: { name: "eth0", netns: ctr.path } });
    const list = await kernel().links.list(host.path);
    const oracle = await ipLinks(host);
    expect(list.map((l) => l.name).sort()).toEqual(oracle.map((l) => l.ifname).sort());
    for (const l of list) {
      const o = oracle.find((x) => x.ifname === l.name)!;
      expect(l.index).toBe(o.ifindex);
      expect(l.mtu).toBe(o.mtu);
      expect(l.kind).toBe(o.linkinfo?.info_kind ?? "");
      expect(l.master).toBe(o.master ?? null);
    }
    expect(list.find((l) => l.name === "lo")).toMatchObject({ kind: "", up: true, mac: "00:00:00:00:00:00" });
    expect(await kernel().links.get(host.path, "vh0")).toMatchObject({ name: "vh0", master: "br0", kind: "veth" });
    expect(await kernel().links.get(host.path, "nothere")).toBeNull();
  });

  it("set changes up/down, MTU, MAC, master/nomaster, hairpin and name", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await kernel().links.addBridge(host.path, { name: "br0" });
    await kernel().links.addVeth(host.path, { name: "vh0", peer: { name: "eth0", netns: ctr.path } });
    await kernel().links.set(host.path, "vh0", { up: true, mtu: 1300, mac: "02:aa:bb:cc:dd:ee", master: "br0", hairpin: true });
    let o = await ipLink(host, "vh0");
    expect(o).toMatchObject({ mtu: 1300, address: "02:aa:bb:cc:dd:ee", master: "br0" });
    expect(o?.flags).toContain("UP");
    expect(o?.linkinfo?.info_slave_data?.["hairpin"]).toBe(true);
    await kernel().links.set(host.path, "vh0", { hairpin: false });
    expect((await ipLink(host, "vh0"))?.linkinfo?.info_slave_data?.["hairpin"]).toBe(false);
    await kernel().links.set(host.path, "vh0", { up: false, master: null });
    o = await ipLink(host, "vh0");
    expect(o?.master).toBeUndefined();
    expect(o?.flags).not.toContain("UP");
    await kernel().links.set(host.path, "vh0", { name: "vh9" });
    expect(await ipLink(host, "vh9")).toBeDefined();
    expect(await ipLink(host, "vh0")).toBeUndefined();
    await expectNetdError(kernel().links.set(host.path, "vh0", { up: true }), "LINK_NOT_FOUND", "not_found");
  });

  it("delete removes a veth with its peer and is idempotent", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await kernel().links.addVeth(host.path, { name: "vh0", peer: { name: "eth0", netns: ctr.path } });
    await kernel().links.delete(host.path, "vh0");
    expect(await ipLink(host, "vh0")).toBeUndefined();
    expect(await ipLink(ctr, "eth0")).toBeUndefined();
    await kernel().links.delete(host.path, "vh0");
  });

  it("addChild creates a macvlan on a veth parent, also directly in another namespace", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await kernel().links.addVeth(host.path, { name: "vh0", peer: { name: "eth0", netns: ctr.path } });
    const m = await kernel().links.addChild(host.path, { name: "mv0", parent: "vh0", kind: "macvlan", mode: "bridge", mtu: 1400, mac: "02:00:00:00:01:01" });
    const vh0 = await kernel().links.get(host.path, "vh0");
    expect(m).toMatchObject({ name: "mv0", kind: "macvlan", mtu: 1400, mac: "02:00:00:00:01:01", parentIndex: vh0!.index });
    const o = await ipLink(host, "mv0");
    expect(o?.linkinfo?.info_kind).toBe("macvlan");
    expect(o?.linkinfo?.info_data?.["mode"]).toBe("bridge");
    const moved = await kernel().links.addChild(host.path, { name: "mv1", parent: "vh0", kind: "macvlan", mode: "private", netns: ctr.path });
    expect(moved.kind).toBe("macvlan");
    expect((await ipLink(ctr, "mv1"))?.linkinfo?.info_data?.["mode"]).toBe("private");
    expect(await ipLink(host, "mv1")).toBeUndefined();
    await expectNetdError(kernel().links.addChild(host.path, { name: "mv2", parent: "nope", kind: "macvlan" }), "LINK_NOT_FOUND", "not_found");
    await expectNetdError(kernel().links.addChild(host.path, { name: "mv2", parent: "vh0", kind: "macvlan", mode: "weird" }), "INVALID_LINK_MODE", "invalid");
  });

  it("addChild matches what `ip link add` can do for vlan, ipvlan and macvlan on this kernel", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await kernel().links.addVeth(host.path, { name: "vh0", peer: { name: "eth0", netns: ctr.path } });
    const cases = [
      { kind: "vlan" as const, ipArgs: ["type", "vlan", "id", "10"], spec: { vlanId: 10 } },
      { kind: "ipvlan" as const, ipArgs: ["type", "ipvlan", "mode", "l2"], spec: { mode: "l2" } },
      { kind: "macvlan" as const, ipArgs: ["type", "macvlan", "mode", "bridge"], spec: { mode: "bridge" } },
    ];
    for (const cs of cases) {
      // The oracle: can iproute2 create this kind here? Probe in the container namespace.
      const probe = await ctr.exec(["ip", "link", "add", "link", "eth0", "name", "probe0", ...cs.ipArgs]);
      await ctr.exec(["ip", "link", "del", "probe0"]);
      const name = `${cs.kind.slice(0, 3)}0`;
      const result = await kernel().links.addChild(host.path, { name, parent: "vh0", kind: cs.kind, ...cs.spec }).then(
        (info) => ({ ok: true as const, info }),
        (e: unknown) => ({ ok: false as const, e: e as { code: string; category: string; message: string; details: Record<string, unknown> } }),
      );
      expect({ kind: cs.kind, ok: result.ok }).toEqual({ kind: cs.kind, ok: probe.code === 0 });
      if (result.ok) {
        const o = await ipLink(host, name);
        expect(o?.linkinfo?.info_kind).toBe(cs.kind);
        if (cs.kind === "vlan") expect(o?.linkinfo?.info_data?.["id"]).toBe(10);
      } else {
        expect(probe.stderr).toContain("Unknown device type");
        expect(result.e).toMatchObject({ code: "LINK_KIND_UNSUPPORTED", category: "unsupported" });
        expect(result.e.message).toContain(`failed to add ${cs.kind} ${name} (parent vh0)`);
        expect(result.e.message).toContain("Operation not supported (errno 95)");
        expect(result.e.details["kernelMessage"]).toBe("Unknown device type");
        expect(await ipLink(host, name)).toBeUndefined();
      }
    }
  });

  it("addDummy and the ipvlan flag match what `ip link add` can do on this kernel", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await kernel().links.addVeth(host.path, { name: "vh0", peer: { name: "eth0", netns: ctr.path } });
    const dummyProbe = await ctr.exec(["ip", "link", "add", "probe0", "type", "dummy"]);
    await ctr.exec(["ip", "link", "del", "probe0"]);
    const dummy = await kernel().links.addDummy(host.path, { name: "dm0", up: true }).then(
      (info) => ({ ok: true as const, info }),
      (e: unknown) => ({ ok: false as const, e: e as { code: string; category: string; message: string } }),
    );
    expect(dummy.ok).toBe(dummyProbe.code === 0);
    if (dummy.ok) expect((await ipLink(host, "dm0"))?.linkinfo?.info_kind).toBe("dummy");
    else {
      expect(dummy.e).toMatchObject({ code: "LINK_KIND_UNSUPPORTED", category: "unsupported" });
      expect(dummy.e.message).toContain("the kernel has no dummy driver");
      expect(await ipLink(host, "dm0")).toBeUndefined();
    }
    const ipvProbe = await ctr.exec(["ip", "link", "add", "link", "eth0", "name", "probe0", "type", "ipvlan", "mode", "l3", "private"]);
    await ctr.exec(["ip", "link", "del", "probe0"]);
    const ipv = await kernel().links.addChild(host.path, { name: "ipv0", parent: "vh0", kind: "ipvlan", mode: "l3", flag: "private" }).then(
      () => true,
      (e: unknown) => (e as { code: string }).code,
    );
    expect(ipv === true).toBe(ipvProbe.code === 0);
    if (ipv === true) expect((await ipLink(host, "ipv0"))?.linkinfo?.info_data?.["flags"]).toBeDefined();
    else expect(ipv).toBe("LINK_KIND_UNSUPPORTED");
    await expectNetdError(kernel().links.addChild(host.path, { name: "ipv1", parent: "vh0", kind: "ipvlan", flag: "weird" }), "INVALID_LINK_MODE", "invalid");
    await expectNetdError(kernel().links.addChild(host.path, { name: "mv1", parent: "vh0", kind: "macvlan", flag: "vepa" }), "INVALID_LINK_MODE", "invalid");
  });

  it("rejects bad input before any syscall and creates nothing", async () => {
    const host = await env().netns("h");
    const before = (await ipLinks(host)).map((l) => l.ifname);
    const links = kernel().links;
    for (const name of ["abcdefghijklmnop", "a/b", "a b", "", ".", "..", "tab\tx"]) {
      await expectNetdError(links.addBridge(host.path, { name }), "INVALID_INTERFACE_NAME", "invalid");
      await expectNetdError(links.addVeth(host.path, { name: "okname", peer: { name, netns: host.path } }), "INVALID_INTERFACE_NAME", "invalid");
    }
    await expectNetdError(links.addBridge(host.path, { name: "br1", mtu: 40 }), "INVALID_MTU", "invalid");
    await expectNetdError(links.addBridge(host.path, { name: "br1", mac: "zz:00:00:00:00:00" }), "INVALID_MAC", "invalid");
    await expectNetdError(links.addChild(host.path, { name: "v1", parent: "lo", kind: "vlan", vlanId: 4095 }), "INVALID_VLAN_ID", "invalid");
    await expectNetdError(links.addBridge(`/run/netns/${env().prefix}-nothere`, { name: "br1" }), "NETNS_NOT_FOUND", "not_found");
    await expectNetdError(links.addVeth(host.path, { name: "vx", peer: { name: "px", netns: `/run/netns/${env().prefix}-gone` } }), "NETNS_NOT_FOUND", "not_found");
    await expectNetdError(links.addBridge("relative/path", { name: "br1" }), "INVALID_NETNS", "invalid");
    expect((await ipLinks(host)).map((l) => l.ifname)).toEqual(before);
  });
});
