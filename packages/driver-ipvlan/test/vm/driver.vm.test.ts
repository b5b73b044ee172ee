// TestDockerNetworkIpvlan, TestPointToPoint and custom interface names at the driver level,
// inside the qemu guest (Debian's kernel has ipvlan, dummy and 8021q): the driver on the real
// Linux Kernel in namespaces the test makes, real pings between sandboxes. Gateway selection
// is core's; here the test delivers the events core would send.
import { afterAll, describe, expect, it } from "vitest";
import type { Driver, DriverContext, EndpointInfo, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createLinuxKernel } from "@netd/kernel";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { memoryState } from "../support/context.js";
import { createIpvlanDriver } from "../../src/index.js";

const kernel = createLinuxKernel();
afterAll(() => kernel.close());

async function ok(ns: TestNetns, argv: string[]): Promise<string> {
  const r = await ns.exec(argv);
  expect(r.code, `${argv.join(" ")} in ${ns.name}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
const pings = async (ns: TestNetns, addr: string) => (await ns.exec(["ping", "-c", "1", "-W", "3", addr])).code === 0;

let seq = 0;
function net(options: Record<string, string>, v4: string, v6: string | null, over: Partial<NetworkInfo> = {}): NetworkInfo {
  seq++;
  return { id: `${seq}`.padStart(4, "0") + "ef".repeat(30), name: `vm${seq}`, driver: "ipvlan", internal: false, ipv4: { subnet: v4, gateway: null, ipRange: null }, ipv6: v6 ? { subnet: v6, gateway: null, ipRange: null } : null, options, labels: {}, ...over };
}
function ep(n: NetworkInfo, id: string, v4: string, v6: string | null = null, options: Record<string, string> = {}): EndpointInfo {
  return { id, networkId: n.id, ipv4: v4, ipv6: v6, mac: null, options };
}

describe("ipvlan driver on a real kernel (guest)", () => {
  const env = useTestEnv("ipvlan-vm");
  let host: TestNetns;
  let ctx: DriverContext;
  let d: Driver;

  async function setup(): Promise<void> {
    host = await env().netns("host");
    ctx = { kernel, hostNetns: host.path, log: { debug() {}, info() {}, warn() {}, error() {} }, state: memoryState() };
    d = createIpvlanDriver();
    await ok(host, ["ip", "link", "add", "dm0", "type", "dummy"]);
    await ok(host, ["ip", "link", "set", "dm0", "up"]);
  }
  async function attach(n: NetworkInfo, e: EndpointInfo, name: string): Promise<{ ns: TestNetns; sb: SandboxInfo; ifname: string }> {
    const ns = await env().netns(name);
    const sb: SandboxInfo = { id: name, name, netns: ns.path, portBindings: [], exposedPorts: [] };
    await d.createEndpoint!(ctx, n, e);
    const r = await d.join(ctx, n, e, sb);
    for (const phase of ["release", "acquire"] as const) {
      const gw = r.gateway4 !== null || r.forceGateway4 ? e.id : null;
      const gw6 = r.gateway6 !== null || r.forceGateway6 ? e.id : null;
      await d.onGatewayChange!(ctx, { phase, sandbox: sb, gw4: gw, gw6, endpoints: [e] });
    }
    return { ns, sb, ifname: r.interfaceName };
  }
  const defaults = async (ns: TestNetns, family: 4 | 6) => (await ok(ns, ["ip", `-${family}`, "route", "show", "default"])).trim();

  for (const mode of ["l2", "l3", "l3s"] as const) {
    for (const withParent of [true, false]) {
      it(`${mode} ${withParent ? "with a parent" : "without parent (internal dummy)"}: two sandboxes ping each other`, async () => {
        await setup();
        const n = net(withParent ? { parent: "dm0", ipvlan_mode: mode } : { ipvlan_mode: mode }, "10.80.1.0/24", "fd00:80:1::/64");
        await d.createNetwork(ctx, n);
        const a = await attach(n, ep(n, "ea", "10.80.1.2/24", "fd00:80:1::2/64"), "a");
        const b = await attach(n, ep(n, "eb", "10.80.1.3/24", "fd00:80:1::3/64"), "b");
        const kind = (await a.ns.ipJson(["-d", "link", "show", a.ifname])) as Array<{ linkinfo?: { info_kind?: string; info_data?: { mode?: string } } }>;
        expect(kind[0]?.linkinfo).toMatchObject({ info_kind: "ipvlan", info_data: { mode } });
        expect(await pings(a.ns, "10.80.1.3")).toBe(true);
        expect(await pings(b.ns, "fd00:80:1::2")).toBe(true);
        // L3 with a parent: `default dev eth0` for both families; L2 without gateway and internal: none.
        const l3ext = mode !== "l2" && withParent;
        expect(await defaults(a.ns, 4)).toBe(l3ext ? "default dev eth0 scope link" : "");
        expect(await defaults(a.ns, 6)).toMatch(l3ext ? /^default dev eth0 metric 1024/ : /^$/);
        expect(await pings(a.ns, "8.8.8.8")).toBe(false);
        for (const [e, x] of [[ep(n, "ea", "10.80.1.2/24"), a], [ep(n, "eb", "10.80.1.3/24"), b]] as const) await d.leave(ctx, n, e, x.sb);
        await d.deleteNetwork(ctx, n);
        expect(((await host.ipJson(["link"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort()).toEqual(["dm0", "lo"]);
      });
    }
  }

  for (const mode of ["l2", "l3"] as const) {
    it(`${mode} internal mode (with a parent, and without one despite given gateways): the peers ping, no gateway, no default route`, async () => {
      await setup();
      const variants: Array<Record<string, string>> = [{ parent: "dm0", ipvlan_mode: mode }, { ipvlan_mode: mode }];
      for (const [i, options] of variants.entries()) {
        const base = net(options, `10.81.${i}.0/24`, `fd00:81:${i}::/64`, { internal: i === 0 });
        const n = { ...base, ipv4: { ...base.ipv4!, gateway: `10.81.${i}.254` }, ipv6: { ...base.ipv6!, gateway: `fd00:81:${i}::254` } };
        await d.createNetwork(ctx, n);
        const ea = ep(n, `ia${i}`, `10.81.${i}.2/24`, `fd00:81:${i}::2/64`);
        const eb = ep(n, `ib${i}`, `10.81.${i}.3/24`, `fd00:81:${i}::3/64`);
        const nsA = await env().netns(`ia${i}`);
        const nsB = await env().netns(`ib${i}`);
        const sbA: SandboxInfo = { id: `ia${i}`, name: `ia${i}`, netns: nsA.path, portBindings: [], exposedPorts: [] };
        const sbB: SandboxInfo = { ...sbA, id: `ib${i}`, name: `ib${i}`, netns: nsB.path };
        const r = await d.join(ctx, n, ea, sbA);
        await d.join(ctx, n, eb, sbB);
        expect(r).toMatchObject({ gateway4: null, gateway6: null, forceGateway4: false, forceGateway6: false });
        expect(await pings(nsA, `10.81.${i}.3`)).toBe(true);
        expect(await pings(nsB, `fd00:81:${i}::2`)).toBe(true);
        expect(await defaults(nsA, 4)).toBe("");
        expect(await defaults(nsA, 6)).toBe("");
        expect(await pings(nsA, "8.8.8.8")).toBe(false);
        await d.leave(ctx, n, ea, sbA);
        await d.leave(ctx, n, eb, sbB);
        await d.deleteNetwork(ctx, n);
      }
      expect(((await host.ipJson(["link"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort()).toEqual(["dm0", "lo"]);
    });
  }

  it("L2 gateway: default via the given gateway; no IPv6 default without an IPv6 gateway", async () => {
    await setup();
    const n = net({ parent: "dm0" }, "172.28.140.0/24", "2001:db8:abc8::/64");
    const gw = { ...n, ipv4: { ...n.ipv4!, gateway: "172.28.140.254" } };
    await d.createNetwork(ctx, gw);
    const a = await attach(gw, ep(gw, "ea", "172.28.140.2/24", "2001:db8:abc8::2/64"), "a");
    expect(await defaults(a.ns, 4)).toMatch(/^default via 172\.28\.140\.254 dev eth0/);
    expect(await defaults(a.ns, 6)).toBe("");
  });

  it("L3 addressing and multiple networks in one sandbox: default dev eth0 for v4 and v6 and a custom interface name", async () => {
    await setup();
    const n = net({ parent: "dm0", ipvlan_mode: "l3" }, "172.28.10.0/24", "2001:db8:abc9::/64");
    await d.createNetwork(ctx, n);
    const a = await attach(n, ep(n, "ea", "172.28.10.2/24", "2001:db8:abc9::2/64", { "com.docker.network.endpoint.ifname": "foo0" }), "a");
    expect(a.ifname).toBe("foo0");
    expect(await defaults(a.ns, 4)).toBe("default dev foo0 scope link");
    expect(await defaults(a.ns, 6)).toMatch(/^default dev foo0/);
  });

  it("802.1Q parent: created when missing and deleted with the network; a pre-existing one is kept; a shared parent is refused", async () => {
    await setup();
    const n = net({ parent: "dm0.70" }, "10.80.70.0/24", null);
    await d.createNetwork(ctx, n);
    const vlan = (await host.ipJson(["-d", "link", "show", "dm0.70"])) as Array<{ linkinfo?: { info_kind?: string; info_data?: { id?: number } } }>;
    expect(vlan[0]?.linkinfo).toMatchObject({ info_kind: "vlan", info_data: { id: 70 } });
    await expect(d.createNetwork(ctx, net({ parent: "dm0.70" }, "10.80.71.0/24", null))).rejects.toMatchObject({ code: "PARENT_IN_USE" });
    await d.deleteNetwork(ctx, n);
    expect((await host.exec(["ip", "link", "show", "dm0.70"])).code).not.toBe(0);
    await ok(host, ["ip", "link", "add", "link", "dm0", "name", "dm0.80", "type", "vlan", "id", "80"]);
    const keep = net({ parent: "dm0.80" }, "10.80.80.0/24", null);
    await d.createNetwork(ctx, keep);
    await d.deleteNetwork(ctx, keep);
    await ok(host, ["ip", "link", "show", "dm0.80"]);
  });

  for (const mode of ["l3", "l3s"] as const) {
    it(`point to point (/31, internal, ${mode}): no gateway, the two ends ping`, async () => {
      await setup();
      const n = net({ ipvlan_mode: mode }, "192.168.102.0/31", null, { internal: true });
      await d.createNetwork(ctx, n);
      const a = await attach(n, ep(n, "ea", "192.168.102.0/31"), "a");
      await attach(n, ep(n, "eb", "192.168.102.1/31"), "b");
      expect(await pings(a.ns, "192.168.102.1")).toBe(true);
      expect(await defaults(a.ns, 4)).toBe("");
    });
  }
});
