import type { Driver, DriverContext, EndpointInfo, NetworkInfo, PortAllocator, SandboxInfo } from "@netd/driverapi";
import { createBridgeDriver } from "@netd/driver-bridge";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { describe, expect, it } from "vitest";
import { context, endpoint, events, network, sandbox, tcp } from "../test/support/context.js";
import { createRoutedDriver } from "./driver.js";

const ROUTED_MODES = { "com.docker.network.bridge.gateway_mode_ipv4": "routed", "com.docker.network.bridge.gateway_mode_ipv6": "routed" };

/** nft sets of one table in the fake kernel, elements sorted, empty sets left out. */
function sets(kernel: FakeKernel, table: string): Record<string, string[]> {
  const t = kernel.snapshot().namespaces[kernel.hostNetns]!.nft[`inet ${table}`];
  const out: Record<string, string[]> = {};
  for (const [name, s] of Object.entries(t?.sets ?? {})) if (s.elements.length > 0) out[name] = [...s.elements].sort();
  return out;
}

interface Run {
  readonly kernel: FakeKernel;
  readonly d: Driver;
  readonly ctx: DriverContext & { readonly ports: PortAllocator };
  readonly logs: string[];
  readonly table: string;
  readonly n: NetworkInfo;
  readonly e: EndpointInfo;
  readonly sb: SandboxInfo;
}

/** One driver on its own fake kernel: network 1, endpoint "e1" (10.33.1.2) joined to sandbox sb1 publishing 80, 53/udp and 443. */
async function setup(kind: "routed" | "bridge-routed"): Promise<Run> {
  const kernel = createFakeKernel();
  const logs: string[] = [];
  const ctx = context(kernel, logs);
  const d = kind === "routed" ? createRoutedDriver({ userlandProxy: false }) : createBridgeDriver({ userlandProxy: false });
  const n = kind === "routed" ? network(1) : network(1, { driver: "bridge", options: { ...network(1).options, ...ROUTED_MODES } });
  await d.createNetwork(ctx, n);
  const c1 = await kernel.netns.create("c1");
  // 443 on one IPv4 host address: routed, that gives 0.0.0.0 and no IPv6 binding (reference §4.6).
  const sb = sandbox(c1, [tcp(80, 8080), { ...tcp(53), protocol: "udp" }, tcp(443, 0, "192.0.2.7")]);
  const e = endpoint(n, "e1", 2);
  await d.createEndpoint!(ctx, n, e);
  await d.join(ctx, n, e, sb);
  return { kernel, d, ctx, logs, table: kind === "routed" ? "netd_routed" : "netd", n, e, sb };
}

/** Delivers both phases of a gateway event naming gw4/gw6 (ids of other drivers allowed). */
async function gateway(r: Run, gw4: string | null, gw6: string | null): Promise<void> {
  for (const ev of events(r.sb, gw4, gw6, [r.e])) await r.d.onGatewayChange!(r.ctx, ev);
}

const OPEN = {
  open4: ["10.33.1.2 . tcp . 443", "10.33.1.2 . tcp . 80", "10.33.1.2 . udp . 53"],
  open6: ["fd00:33:1::2 . tcp . 80", "fd00:33:1::2 . udp . 53"],
};

describe("routed driver", () => {
  it("writes its own table and leaves the bridge's alone", async () => {
    const r = await setup("routed");
    const tables = Object.keys(r.kernel.snapshot().namespaces[r.kernel.hostNetns]!.nft);
    expect(tables).toEqual(["inet netd_routed"]);
    expect(r.d.name).toBe("routed");
  });

  it("opens published ports at the first event although another driver's endpoint is the gateway", async () => {
    const r = await setup("routed");
    expect(sets(r.kernel, "netd_routed")).not.toHaveProperty("open4");
    await gateway(r, "other-nat-endpoint", "other-nat-endpoint");
    expect(sets(r.kernel, "netd_routed")).toMatchObject(OPEN);
    expect(sets(r.kernel, "netd_routed")).not.toHaveProperty("anyport4");
    expect(sets(r.kernel, "netd_routed")).not.toHaveProperty("guard4");
  });

  it("keeps exactly one opening per published port while the endpoint becomes and stops being the gateway", async () => {
    const r = await setup("routed");
    for (const gw of ["x", "e1", "x", "e1", null, "e1", "x"]) {
      await gateway(r, gw, gw);
      expect(sets(r.kernel, "netd_routed"), `gateway ${gw}`).toEqual({ ...OPEN, bridge_fwd_from: expect.any(Array) as unknown, bridge_fwd_to: expect.any(Array) as unknown, bridge_snat_from: expect.any(Array) as unknown, bridge_snat_to: expect.any(Array) as unknown });
    }
    // Only the first event wrote elements; the flaps were no-ops.
    expect(r.kernel.callsTo("nft.updateElements")).toHaveLength(1);
    await r.d.leave(r.ctx, r.n, r.e, r.sb);
    expect(sets(r.kernel, "netd_routed")).not.toHaveProperty("open4");
    expect(sets(r.kernel, "netd_routed")).not.toHaveProperty("open6");
  });

  it("inspect shows 0.0.0.0 / :: with host port 0; a requested host IP and host port are ignored with a notice", async () => {
    const r = await setup("routed");
    await gateway(r, "e1", "e1");
    const info = await r.d.endpointInfo!(r.ctx, r.n, r.e);
    expect(info.portBindings?.map((b) => `${b.protocol} ${b.hostIp}:${b.hostPort} -> ${b.containerIp}:${b.containerPort}`).sort()).toEqual([
      "tcp 0.0.0.0:0 -> 10.33.1.2:443",
      "tcp 0.0.0.0:0 -> 10.33.1.2:80",
      "tcp :::0 -> fd00:33:1::2:80",
      "udp 0.0.0.0:0 -> 10.33.1.2:53",
      "udp :::0 -> fd00:33:1::2:53",
    ]);
    expect(r.logs).toContain("Using address 0.0.0.0 because NAT is disabled (443/tcp, 192.0.2.7 ignored)");
    expect(r.logs.filter((l) => l.startsWith("Host port ignored, because NAT is disabled (80/tcp, host port 8080)"))).toHaveLength(2);
    // No host port was taken: nothing is listening or reserved.
    expect(r.ctx.ports.requestPortsInRange(["0.0.0.0", "::"], "tcp", 8080, 8080)).toBe(8080);
  });

  it("produces the same table, element for element, as the bridge driver in gateway_mode_ipv4/ipv6=routed", async () => {
    const a = await setup("routed");
    const b = await setup("bridge-routed");
    const body = (r: Run): string => r.kernel.snapshot().namespaces[r.kernel.hostNetns]!.nft[`inet ${r.table}`]!.body;
    expect(body(a)).toBe(body(b));
    for (const gw of ["x", "e1", "x"]) {
      await gateway(a, gw, gw);
      await gateway(b, gw, gw);
      expect(sets(a.kernel, a.table)).toEqual(sets(b.kernel, b.table));
      expect(await a.d.endpointInfo!(a.ctx, a.n, a.e)).toEqual(await b.d.endpointInfo!(b.ctx, b.n, b.e));
    }
    expect(a.logs).toEqual(b.logs);
    await a.d.leave(a.ctx, a.n, a.e, a.sb);
    await b.d.leave(b.ctx, b.n, b.e, b.sb);
    expect(sets(a.kernel, a.table)).toEqual(sets(b.kernel, b.table));
    await a.d.deleteNetwork(a.ctx, a.n);
    await b.d.deleteNetwork(b.ctx, b.n);
    expect(sets(a.kernel, a.table)).toEqual({});
  });

  it("the bridge's mixed modes use the same routed policy for the routed family only", async () => {
    const kernel = createFakeKernel();
    const logs: string[] = [];
    const ctx = context(kernel, logs);
    const d = createBridgeDriver({ userlandProxy: false });
    const n = network(2, { driver: "bridge", options: { ...network(2).options, "com.docker.network.bridge.gateway_mode_ipv6": "routed" } });
    await d.createNetwork(ctx, n);
    const c1 = await kernel.netns.create("c1");
    const sb = sandbox(c1, [tcp(80, 8080)]);
    const e = endpoint(n, "e1", 2);
    await d.join(ctx, n, e, sb);
    const r: Run = { kernel, d, ctx, logs, table: "netd", n, e, sb };
    await gateway(r, "x", "x");
    expect(sets(kernel, "netd")).toMatchObject({ open6: ["fd00:33:2::2 . tcp . 80"], guard4: ["10.33.2.2 : jump guard__br-r2"] });
    expect(sets(kernel, "netd")).not.toHaveProperty("anyport4");
    await gateway(r, "e1", "e1");
    expect(sets(kernel, "netd")).toMatchObject({ anyport4: ["tcp . 8080 : 10.33.2.2 . 80"], open4: ["10.33.2.2 . tcp . 80"], open6: ["fd00:33:2::2 . tcp . 80"] });
    await gateway(r, "x", "x");
    expect(sets(kernel, "netd")).not.toHaveProperty("anyport4");
    expect(sets(kernel, "netd")).toMatchObject({ open6: ["fd00:33:2::2 . tcp . 80"] });
    await d.shutdown!(ctx);
  });
});
