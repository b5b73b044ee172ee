/**
 * Real packets over macvlan. The parent is one end of a veth pair in the test's "host"
 * namespace; the other end sits in a "lan" namespace (a neighbour on the parent's LAN, and
 * the gateway: it also holds 192.0.2.1 on lo). Sandboxes are test namespaces.
 *
 *   sandbox a (eth0 macvlan) ─┐
 *   sandbox b (eth0 macvlan) ─┴─ parent `mvpar` (host) ══ veth ══ `lan0` 10.198.0.100/24 (lan)
 */
import type { Driver, DriverContext, EndpointInfo, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createLinuxKernel } from "@netd/kernel";
import { linkNetns, useTestEnv, type TestNetns } from "@netd/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createMacvlanDriver, type MacvlanMode } from "../../src/index.js";
import { context } from "../support/context.js";

const env = useTestEnv("macvlan-packets");
const kernel = createLinuxKernel();
afterAll(() => kernel.close());

const ping = async (ns: TestNetns, address: string): Promise<boolean> => (await ns.exec(["ping", "-c1", "-W1", address])).code === 0;

interface World {
  readonly host: TestNetns;
  readonly lan: TestNetns;
  readonly ctx: DriverContext;
  readonly driver: Driver;
  readonly network: NetworkInfo;
  join(short: string, host: number): Promise<{ ns: TestNetns; endpoint: EndpointInfo; sandbox: SandboxInfo }>;
}

async function world(options: Record<string, string>, internal = false): Promise<World> {
  const e = env();
  const host = await e.netns("host");
  const lan = await e.netns("lan");
  await linkNetns({ ns: host, name: "mvpar", addresses: [] }, { ns: lan, name: "lan0", addresses: ["10.198.0.100/24"] });
  await lan.exec(["ip", "addr", "add", "192.0.2.1/32", "dev", "lo"]);
  const ctx = context(kernel, host.path);
  const driver = createMacvlanDriver();
  const network: NetworkInfo = {
    id: "ab".repeat(32),
    name: "mv",
    driver: "macvlan",
    internal,
    ipv4: { subnet: "10.198.0.0/24", gateway: internal ? null : "10.198.0.100", ipRange: null },
    ipv6: null,
    options,
    labels: {},
  };
  await driver.createNetwork(ctx, network);
  let n = 0;
  return {
    host,
    lan,
    ctx,
    driver,
    network,
    async join(short, hostPart) {
      const ns = await e.netns(short);
      const id = `${(++n).toString(16).padStart(2, "0")}${"cd".repeat(31)}`;
      let endpoint: EndpointInfo = { id, networkId: network.id, ipv4: `10.198.0.${hostPart}/24`, ipv6: null, mac: null, options: {} };
      const created = await driver.createEndpoint!(ctx, network, endpoint);
      if (created?.mac) endpoint = { ...endpoint, mac: created.mac };
      const sandbox: SandboxInfo = { id: id.replace(/^../, "ee"), name: short, netns: ns.path, portBindings: [], exposedPorts: [] };
      const res = await driver.join(ctx, network, endpoint, sandbox);
      for (const phase of ["release", "acquire"] as const) {
        await driver.onGatewayChange!(ctx, { phase, sandbox, gw4: res.gateway4 ? endpoint.id : null, gw6: null, endpoints: [endpoint] });
      }
      return { ns, endpoint, sandbox };
    },
  };
}

describe("macvlan driver: real packets", () => {
  it("bridge mode: sandboxes reach each other, the LAN neighbour, and beyond it through the default route; leave removes the link", async () => {
    const w = await world({ parent: "mvpar", macvlan_mode: "bridge" });
    const a = await w.join("a", 2);
    const b = await w.join("b", 3);
    expect(await ping(a.ns, "10.198.0.3")).toBe(true);
    expect(await ping(b.ns, "10.198.0.2")).toBe(true);
    expect(await ping(a.ns, "10.198.0.100")).toBe(true);
    expect(await ping(w.lan, "10.198.0.2")).toBe(true);
    expect((await a.ns.exec(["ip", "route", "show", "default"])).stdout).toMatch(/default via 10\.198\.0\.100 dev eth0/);
    expect(await ping(a.ns, "192.0.2.1")).toBe(true);
    await w.driver.leave(w.ctx, w.network, a.endpoint, a.sandbox);
    expect(await ping(b.ns, "10.198.0.2")).toBe(false);
    expect(await ping(w.lan, "10.198.0.3")).toBe(true);
    expect(await kernel.links.list(a.ns.path)).toEqual([expect.objectContaining({ name: "lo" })]);
  });

  it.each([["private"], ["vepa"]] as Array<[MacvlanMode]>)("%s mode: the LAN neighbour answers, the sibling does not (no reflection on a veth)", async (mode) => {
    const w = await world({ parent: "mvpar", macvlan_mode: mode });
    const a = await w.join("a", 2);
    await w.join("b", 3);
    expect(await ping(a.ns, "10.198.0.100")).toBe(true);
    expect(await ping(a.ns, "10.198.0.3")).toBe(false);
  });

  it("passthru mode: one sandbox owns the parent and reaches the LAN", async () => {
    const w = await world({ parent: "mvpar", macvlan_mode: "passthru" });
    const a = await w.join("a", 2);
    expect(await ping(a.ns, "10.198.0.100")).toBe(true);
    await expect(w.join("b", 3)).rejects.toThrow();
  });

  it("internal without parent: sandboxes reach each other and nothing else; deleteNetwork removes the driver's own parent", async () => {
    const w = await world({}, true);
    const a = await w.join("a", 2);
    const b = await w.join("b", 3);
    expect(await ping(a.ns, "10.198.0.3")).toBe(true);
    expect(await ping(a.ns, "10.198.0.100")).toBe(false);
    expect((await a.ns.exec(["ip", "route", "show", "default"])).stdout).toBe("");
    for (const s of [a, b]) await w.driver.leave(w.ctx, w.network, s.endpoint, s.sandbox);
    await w.driver.deleteNetwork(w.ctx, w.network);
    expect((await kernel.links.list(w.host.path)).map((l) => l.name).sort()).toEqual(["lo", "mvpar"]);
  });
});
