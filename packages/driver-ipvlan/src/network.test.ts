import { isNetdError, type NetdError } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { hostLinks, network, world, type World } from "../test/support/context.js";
import { createIpvlanDriver } from "./driver.js";

async function refused(p: Promise<unknown>): Promise<NetdError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isNetdError(e)) throw new Error(`expected a NetdError, got ${String(e)}`);
  return e;
}

/** Everything observable about the host namespace plus the driver's state. */
const everything = (w: World) => ({ host: w.kernel.snapshot().namespaces[w.kernel.hostNetns], state: [...w.ctx.state.data.keys()] });

describe("ipvlan createNetwork: options", () => {
  it("defaults to l2/bridge and proves ipvlan works with a probe link that it removes", async () => {
    const w = world();
    const d = createIpvlanDriver();
    await d.createNetwork(w.ctx, network(1, { parent: "eth0" }));
    const probe = w.kernel.callsTo("links.addChild")[0]!.args[1];
    expect(probe).toMatchObject({ kind: "ipvlan", parent: "eth0", mode: "l2", flag: "bridge" });
    expect(hostLinks(w)).toEqual(["eth0", "eth1", "lo"]);
    expect(w.ctx.state.data.get(`net/${network(1, {}).id}`)).toEqual({ parent: "eth0", createdVlan: false });
  });

  it("passes mode and flag to the kernel", async () => {
    const w = world();
    await createIpvlanDriver().createNetwork(w.ctx, network(1, { parent: "eth0", ipvlan_mode: "l3s", ipvlan_flag: "vepa" }));
    expect(w.kernel.callsTo("links.addChild")[0]!.args[1]).toMatchObject({ mode: "l3s", flag: "vepa" });
  });

  it.each([
    [{ parent: "eth0", ipvlan_mode: "l4" }, "INVALID_OPTION", /ipvlan_mode has invalid value 'l4'; use one of l2, l3, l3s/],
    [{ parent: "eth0", ipvlan_flag: "open" }, "INVALID_OPTION", /ipvlan_flag has invalid value 'open'; use one of bridge, private, vepa/],
    [{ parent: "eth0", colour: "red" }, "INVALID_OPTION", /no option 'colour'; remove it/],
    [{ parent: "a/b" }, "INVALID_OPTION", /parent has invalid value 'a\/b'/],
    [{ parent: "nosuch0" }, "PARENT_NOT_FOUND", /parent interface 'nosuch0' does not exist.*eth0\.10/],
    [{ parent: "nosuch0.10" }, "PARENT_NOT_FOUND", /'nosuch0.10' does not exist.*its base 'nosuch0' does not exist either/],
    [{ parent: "eth0.4095" }, "PARENT_NOT_FOUND", /'eth0.4095' does not exist/],
    [{ parent: "lo" }, "PARENT_NOT_ALLOWED", /parent 'lo' is the loopback device/],
    [{ parent: "lo.10" }, "PARENT_NOT_ALLOWED", /parent 'lo' \(the base of 'lo.10'\)/],
  ])("refuses %j with %s, a 4xx naming the value, and leaves nothing behind", async (options, code, message) => {
    const w = world();
    const before = everything(w);
    const e = await refused(createIpvlanDriver().createNetwork(w.ctx, network(1, options)));
    expect(e.code).toBe(code);
    expect(["invalid", "forbidden", "not_found", "conflict"]).toContain(e.category);
    expect(e.message).toMatch(message);
    expect(everything(w)).toEqual(before);
    expect(w.kernel.calls).toEqual([]);
  });

  it("refuses links netd owns: its bridges (MAC 02:6e:64) and endpoint veths", async () => {
    const w = world();
    w.kernel.seedLink(w.kernel.hostNetns, { name: "br-1234", kind: "bridge", mac: "02:6e:64:00:00:01" });
    w.kernel.seedLink(w.kernel.hostNetns, { name: "veth1234", kind: "veth" });
    w.kernel.seedLink(w.kernel.hostNetns, { name: "br-user", kind: "bridge", mac: "02:11:22:00:00:01" });
    const d = createIpvlanDriver();
    expect((await refused(d.createNetwork(w.ctx, network(1, { parent: "br-1234" })))).message).toMatch(/'br-1234' is a bridge netd created/);
    expect((await refused(d.createNetwork(w.ctx, network(1, { parent: "veth1234" })))).code).toBe("PARENT_NOT_ALLOWED");
    expect((await refused(d.createNetwork(w.ctx, network(1, { parent: "br-1234.7" })))).code).toBe("PARENT_NOT_ALLOWED");
    await d.createNetwork(w.ctx, network(2, { parent: "br-user" }));
  });

  it("refuses a parent another network uses (409), but distinct VLAN sub-interfaces of it are fine", async () => {
    const w = world();
    const d = createIpvlanDriver();
    await d.createNetwork(w.ctx, network(1, { parent: "eth0" }));
    const before = everything(w);
    const e = await refused(d.createNetwork(w.ctx, network(2, { parent: "eth0" })));
    expect(e).toMatchObject({ code: "PARENT_IN_USE", category: "conflict" });
    expect(e.message).toMatch(/network 01abababab.. is already using parent interface 'eth0'; delete that network first/);
    expect(everything(w)).toEqual(before);
    await d.createNetwork(w.ctx, network(3, { parent: "eth0.10" }));
    await d.createNetwork(w.ctx, network(4, { parent: "eth0.20" }));
    expect((await refused(d.createNetwork(w.ctx, network(5, { parent: "eth0.20" })))).code).toBe("PARENT_IN_USE");
    await d.deleteNetwork(w.ctx, network(1, { parent: "eth0" }));
    await d.createNetwork(w.ctx, network(2, { parent: "eth0" }));
  });
});

describe("ipvlan parent lifecycle", () => {
  it("creates a missing 802.1Q parent, up, and deletes it with the network", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = network(1, { parent: "eth0.10" });
    await d.createNetwork(w.ctx, n);
    const vlan = w.kernel.snapshot().namespaces[w.kernel.hostNetns]!.links.find((l) => l.name === "eth0.10");
    expect(vlan).toMatchObject({ kind: "vlan", vlanId: 10, up: true });
    await d.deleteNetwork(w.ctx, n);
    expect(hostLinks(w)).toEqual(["eth0", "eth1", "lo"]);
    expect(w.ctx.state.data.size).toBe(0);
  });

  it("keeps a VLAN parent that existed before the network", async () => {
    const w = world();
    await w.kernel.links.addChild(w.kernel.hostNetns, { name: "eth0.30", parent: "eth0", kind: "vlan", vlanId: 30 });
    const d = createIpvlanDriver();
    const n = network(1, { parent: "eth0.30" });
    await d.createNetwork(w.ctx, n);
    await d.deleteNetwork(w.ctx, n);
    expect(hostLinks(w)).toContain("eth0.30");
  });

  it("without a parent: an internal network on its own dummy link, deleted with it", async () => {
    const w = world();
    const d = createIpvlanDriver();
    const n = network(1, {});
    await d.createNetwork(w.ctx, n);
    expect(w.kernel.snapshot().namespaces[w.kernel.hostNetns]!.links.find((l) => l.name === `di-${n.id.slice(0, 12)}`)).toMatchObject({ kind: "dummy", up: true });
    await d.deleteNetwork(w.ctx, n);
    expect(hostLinks(w)).toEqual(["eth0", "eth1", "lo"]);
  });

  it("deleteNetwork after a create interrupted at any point removes the probe and dummy but never a VLAN link it cannot prove it made", async () => {
    const w = world();
    const n = network(1, { parent: "eth0.10" });
    await w.kernel.links.addChild(w.kernel.hostNetns, { name: "eth0.10", parent: "eth0", kind: "vlan", vlanId: 10 });
    await w.kernel.links.addChild(w.kernel.hostNetns, { name: `ip-${n.id.slice(0, 12)}`, parent: "eth0.10", kind: "ipvlan" });
    const d = createIpvlanDriver();
    await d.deleteNetwork(w.ctx, n);
    await d.deleteNetwork(w.ctx, n);
    expect(hostLinks(w)).toEqual(["eth0", "eth0.10", "eth1", "lo"]);
    const internal = network(2, {});
    await w.kernel.links.addDummy(w.kernel.hostNetns, { name: `di-${internal.id.slice(0, 12)}` });
    await d.deleteNetwork(w.ctx, internal);
    expect(hostLinks(w)).toEqual(["eth0", "eth0.10", "eth1", "lo"]);
  });

  it("rolls back the VLAN parent when a later step fails", async () => {
    const w = world();
    w.kernel.failWhen((c) => c.method === "links.addChild" && (c.args[1] as { kind: string }).kind === "ipvlan");
    const before = everything(w);
    await refused(createIpvlanDriver().createNetwork(w.ctx, network(1, { parent: "eth0.10" })));
    expect(everything(w)).toEqual(before);
  });
});

describe("ipvlan on a kernel without ipvlan or dummy", () => {
  it("fails at create with KERNEL_FEATURE_MISSING naming ipvlan, leaving no VLAN parent behind", async () => {
    const w = world({ missingLinkKinds: ["ipvlan", "dummy"] });
    const before = everything(w);
    const e = await refused(createIpvlanDriver().createNetwork(w.ctx, network(1, { parent: "eth0.10" })));
    expect(e).toMatchObject({ code: "KERNEL_FEATURE_MISSING", category: "unsupported" });
    expect(e.message).toMatch(/cannot create ipvlan network 'ipv1': this kernel has no ipvlan driver \(CONFIG_IPVLAN, module ipvlan\); run netd on a kernel with ipvlan support/);
    expect(everything(w)).toEqual(before);
  });

  it("fails a VLAN parent on a kernel without 8021q naming the module", async () => {
    const w = world({ missingLinkKinds: ["vlan"] });
    const before = everything(w);
    const e = await refused(createIpvlanDriver().createNetwork(w.ctx, network(1, { parent: "eth0.10" })));
    expect(e.message).toMatch(/no 802\.1Q VLAN \(needed for the parent sub-interface\) driver \(CONFIG_VLAN_8021Q, module 8021q\); load the 8021q module/);
    expect(everything(w)).toEqual(before);
  });

  it("fails a network without parent naming the missing dummy driver", async () => {
    const w = world({ missingLinkKinds: ["dummy"] });
    const before = everything(w);
    const e = await refused(createIpvlanDriver().createNetwork(w.ctx, network(1, {})));
    expect(e.code).toBe("KERNEL_FEATURE_MISSING");
    expect(e.message).toMatch(/no dummy \(needed for an ipvlan network without a parent\) driver.*give the network a parent/);
    expect(everything(w)).toEqual(before);
  });
});
