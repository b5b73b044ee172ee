// The publisher against the fake kernel, a real port allocator, a recording firewall and a
// recording proxy: TestAddPortMappings' allocation cases (reference §8.5), the gateway-event
// state machine (§4.5, DESIGN §3), rollback, conntrack, persistence and restore.
import { describe, expect, it } from "vitest";
import type { GatewayChange } from "@netd/driverapi";
import type { BridgeEndpoint } from "../model.js";
import { change, endpoint, network, recordingFirewall, recordingProxy, tcp, testContext, udp } from "../../test/support/publish-fixtures.js";
import type { TestContext } from "../../test/support/publish-fixtures.js";
import { createPublisherWith } from "./publisher.js";

function setup(options: { proxy?: boolean; ctx?: TestContext; networks?: ReturnType<typeof network>[] } = {}) {
  const ctx = options.ctx ?? testContext({ proxy: options.proxy ?? true });
  const firewall = recordingFirewall();
  const proxy = recordingProxy();
  const nets = new Map((options.networks ?? [network({ id: "n1" })]).map((n) => [n.id, n]));
  const raw = createPublisherWith({ ctx, firewall, network: (id) => nets.get(id)! }, { userlandProxy: ctx.userlandProxy, createProxy: () => proxy });
  // Every call persists through the test's state, as the driver passes each hook's ctx.state.
  const publisher = {
    ...raw,
    onGatewayChange: (c: GatewayChange, eps: readonly BridgeEndpoint[]) => raw.onGatewayChange(ctx.state, c, eps),
    releaseEndpoint: (id: string) => raw.releaseEndpoint(ctx.state, id),
    restore: (eps: readonly BridgeEndpoint[]) => raw.restore(ctx.state, eps),
  };
  const both = async (gw4: string | null, gw6: string | null, eps: BridgeEndpoint[], bindings = [tcp(80)]) => {
    await publisher.onGatewayChange(change("release", gw4, gw6, bindings), eps);
    await publisher.onGatewayChange(change("acquire", gw4, gw6, bindings), eps);
  };
  return { ctx, firewall, proxy, publisher, both };
}

const sandbox2 = (c: ReturnType<typeof change>) => ({ ...c, sandbox: { ...c.sandbox, id: "sb2", name: "c2" } });
const e1 = endpoint("e1", "n1", "10.32.1.2", "fd00:32:1::2");
const shown = (bs: readonly { hostIp: string; hostPort: number; containerIp: string }[]) => bs.map((b) => `${b.hostIp}:${b.hostPort}>${b.containerIp}`);

describe("publisher: allocation (TestAddPortMappings)", () => {
  it("defaults give v4 and v6 on the same ephemeral port, DNAT + openings, proxies, stored", async () => {
    const { publisher, both, firewall, proxy, ctx } = setup();
    await both("e1", "e1", [e1]);
    expect(shown(publisher.bindings("e1"))).toEqual(["0.0.0.0:40000>10.32.1.2", "[::]:40000>fd00:32:1::2".replace(/[[\]]/g, "")]);
    expect(firewall.ports.get("e1")).toEqual({
      mappings: [
        { family: 4, protocol: "tcp", hostIp: null, hostPort: 40000, containerIp: "10.32.1.2", containerPort: 80 },
        { family: 6, protocol: "tcp", hostIp: null, hostPort: 40000, containerIp: "fd00:32:1::2", containerPort: 80 },
      ],
      openings: [
        { family: 4, protocol: "tcp", containerIp: "10.32.1.2", containerPort: 80 },
        { family: 6, protocol: "tcp", containerIp: "fd00:32:1::2", containerPort: 80 },
      ],
    });
    expect(proxy.count()).toBe(2);
    expect(ctx.state.data.get("ports/e1")).toMatchObject({ version: 1, bindings: [{ hostPort: 40000 }, { hostPort: 40000 }] });
  });

  it("an identical event is a no-op", async () => {
    const { both, firewall } = setup();
    await both("e1", "e1", [e1]);
    const calls = firewall.calls;
    await both("e1", "e1", [e1]);
    expect(firewall.calls).toBe(calls);
  });

  it("a busy specific port fails naming the binding and leaves nothing behind", async () => {
    const { publisher, both, firewall, proxy, ctx } = setup();
    ctx.ports.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080);
    await expect(both("e1", "e1", [e1], [tcp(80, 8080)])).rejects.toThrow(/Bind for 0.0.0.0:8080 failed: port is already allocated/);
    expect(publisher.bindings("e1")).toEqual([]);
    expect(firewall.ports.size).toBe(0);
    expect(proxy.count()).toBe(0);
    expect(ctx.ports.requestPortsInRange(["::"], "tcp", 8080, 8080)).toBe(8080);
  });

  it("a range skips a busy port; an exhausted range is an error", async () => {
    const { publisher, both, ctx } = setup();
    ctx.ports.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080);
    await both("e1", "e1", [e1], [tcp(80, 8080, 8081)]);
    expect(publisher.bindings("e1").map((b) => b.hostPort)).toEqual([8081, 8081]);
    const e2 = endpoint("e2", "n1", "10.32.1.3", "fd00:32:1::3", "sb2");
    await expect(
      publisher.onGatewayChange(sandbox2(change("acquire", "e2", "e2", [tcp(80, 8080, 8081)])), [e2]),
    ).rejects.toThrow(/all ports are allocated/);
  });

  it("a busy port inside a range with several mappings: exact port first, the range avoids it", async () => {
    const { publisher, both } = setup();
    await both("e1", "e1", [e1], [tcp(80, 8080, 8082), tcp(81, 8080)]);
    expect(publisher.bindings("e1").map((b) => `${b.containerPort}:${b.hostPort}`)).toEqual(["81:8080", "81:8080", "80:8081", "80:8081"]);
  });

  it("a bind failure (another process holds the port) rolls back every endpoint of the event", async () => {
    const nets = [network({ id: "n1", subnet6: null, gateway6: null }), network({ id: "n2", subnet4: null, gateway4: null })];
    const { publisher, firewall, proxy, ctx } = setup({ networks: nets });
    const a = endpoint("a", "n1", "10.32.1.2", null);
    const b = endpoint("b", "n2", null, "fd00:32:2::2");
    proxy.busy.add(":::8080");
    await expect(publisher.onGatewayChange(change("acquire", "a", "b", [tcp(80, 8080)]), [a, b])).rejects.toThrow(
      /failed to bind host port \[::\]:8080\/tcp: address already in use/,
    );
    expect(publisher.bindings("a")).toEqual([]);
    expect(firewall.ports.size).toBe(0);
    expect(proxy.count()).toBe(0);
    // The port a held stays parked for the sandbox until the rollback's event (C2)...
    expect(() => ctx.ports.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080)).toThrow(/already allocated/);
    await publisher.onGatewayChange(change("release", null, null, [tcp(80, 8080)]), [a, b]);
    await publisher.onGatewayChange(change("acquire", null, null, [tcp(80, 8080)]), [a, b]);
    // ...which frees it.
    expect(ctx.ports.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080)).toBe(8080);
    expect(ctx.state.data.size).toBe(0);
  });

  it("a firewall failure rolls back the ports", async () => {
    const { publisher, firewall, proxy, ctx } = setup();
    firewall.failNext(new Error("nft said no"));
    await expect(publisher.onGatewayChange(change("acquire", "e1", "e1", [tcp(80, 8080)]), [e1])).rejects.toThrow(/nft said no/);
    expect(proxy.count()).toBe(0);
    expect(publisher.bindings("e1")).toEqual([]);
    // Parked for the sandbox until its last endpoint leaves (or its next event succeeds).
    expect(() => ctx.ports.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080)).toThrow(/already allocated/);
    await publisher.releaseEndpoint("e1");
    expect(ctx.ports.requestPortsInRange(["0.0.0.0", "::"], "tcp", 8080, 8080)).toBe(8080);
  });

  it("a released port is parked for the sandbox's acquire phase: another sandbox cannot take it in between (C2)", async () => {
    const nets = [network({ id: "n1" }), network({ id: "n2", subnet4: "10.32.2.0/24", gateway4: "10.32.2.1", subnet6: "fd00:32:2::/64", gateway6: "fd00:32:2::1" })];
    const { publisher, both, proxy, ctx } = setup({ networks: nets });
    const a = endpoint("a", "n1", "10.32.1.2", "fd00:32:1::2");
    const b = endpoint("b", "n2", "10.32.2.2", "fd00:32:2::2");
    await both("a", "a", [a], [tcp(80, 8080)]);
    await publisher.onGatewayChange(change("release", "b", "b", [tcp(80, 8080)]), [a, b]);
    expect(proxy.count()).toBe(0);
    const other = endpoint("o", "n1", "10.32.1.9", null, "sb2");
    await expect(publisher.onGatewayChange(sandbox2(change("acquire", "o", null, [tcp(80, 8080)])), [other])).rejects.toThrow(/already allocated/);
    await publisher.onGatewayChange(change("acquire", "b", "b", [tcp(80, 8080)]), [a, b]);
    expect(shown(publisher.bindings("b"))).toEqual(["0.0.0.0:8080>10.32.2.2", ":::8080>fd00:32:2::2"]);
    await publisher.releaseEndpoint("b");
    await publisher.releaseEndpoint("a");
    expect(ctx.ports.requestPortsInRange(["0.0.0.0", "::"], "tcp", 8080, 8080)).toBe(8080);
  });
});

describe("publisher: gateway changes", () => {
  const nets = [network({ id: "n4", subnet6: null, gateway6: null }), network({ id: "n6", subnet4: null, gateway4: null }), network({ id: "n46" })];
  const ep4 = endpoint("ep4", "n4", "10.32.4.2", null);
  const ep6 = endpoint("ep6", "n6", null, "fd00:32:6::2");
  const ep46 = endpoint("ep46", "n46", "10.32.46.2", "fd00:32:46::2");

  it("6-to-4 comes back on the SAME host port after several gateway flips (TestGatewaySelection)", async () => {
    const { publisher, both, proxy } = setup({ networks: nets });
    const all = () => [...proxy.running].map((s) => `${s.hostIp}:${s.hostPort}>${s.containerIp}`).sort();
    await both("ep4", null, [ep4]);
    const port = publisher.bindings("ep4")[0]!.hostPort;
    expect(all()).toEqual([`0.0.0.0:${port}>10.32.4.2`, `:::${port}>10.32.4.2`]);
    for (let i = 0; i < 3; i++) {
      await both("ep4", "ep6", [ep4, ep6]);
      expect(all()).toEqual([`0.0.0.0:${port}>10.32.4.2`, `:::${port}>fd00:32:6::2`]);
      await both("ep4", null, [ep4, ep6]);
      await publisher.releaseEndpoint("ep6");
      expect(all()).toEqual([`0.0.0.0:${port}>10.32.4.2`, `:::${port}>10.32.4.2`]);
      await both("ep46", "ep46", [ep4, ep46]);
      expect(all()).toEqual([`0.0.0.0:${port}>10.32.46.2`, `:::${port}>fd00:32:46::2`]);
      await both("ep4", null, [ep4, ep46]);
      await publisher.releaseEndpoint("ep46");
      expect(all()).toEqual([`0.0.0.0:${port}>10.32.4.2`, `:::${port}>10.32.4.2`]);
    }
    // An IPv6 gateway of another driver (ipvlan) ends 6-to-4 and publishes nothing itself.
    await both("ep4", "ipvlan-ep", [ep4]);
    expect(all()).toEqual([`0.0.0.0:${port}>10.32.4.2`]);
  });

  it("6-to-4 gives no firewall element; without the proxy there is no IPv6 binding", async () => {
    const { both, firewall } = setup({ networks: nets });
    await both("ep4", null, [ep4]);
    expect(firewall.ports.get("ep4")?.mappings.map((m) => m.family)).toEqual([4]);
    const noProxy = setup({ networks: nets, proxy: false });
    await noProxy.both("ep4", null, [ep4]);
    expect(noProxy.publisher.bindings("ep4").map((b) => b.hostIp)).toEqual(["0.0.0.0"]);
    expect(noProxy.ctx.logs.some((l) => l.message.includes("userland proxy is disabled"))).toBe(true);
  });

  it("routed openings exist from join to leave, never duplicated; inspect shows host port 0", async () => {
    const routed6 = network({ id: "r", mode6: "routed" });
    const { publisher, both, firewall } = setup({ networks: [routed6] });
    const ep = endpoint("r1", "r", "10.32.1.2", "fd00:32:1::2");
    await both("other", "other", [ep], [tcp(80, 8080)]);
    expect(publisher.bindings("r1")).toEqual([{ protocol: "tcp", containerIp: "fd00:32:1::2", containerPort: 80, hostIp: "::", hostPort: 0 }]);
    expect(firewall.ports.get("r1")).toEqual({ mappings: [], openings: [{ family: 6, protocol: "tcp", containerIp: "fd00:32:1::2", containerPort: 80 }] });
    for (let i = 0; i < 2; i++) {
      await both("r1", "r1", [ep], [tcp(80, 8080)]);
      expect(shown(publisher.bindings("r1")).sort()).toEqual(["0.0.0.0:8080>10.32.1.2", ":::0>fd00:32:1::2"]);
      await both("other", "other", [ep], [tcp(80, 8080)]);
      expect(shown(publisher.bindings("r1"))).toEqual([":::0>fd00:32:1::2"]);
    }
    await publisher.releaseEndpoint("r1");
    expect(publisher.bindings("r1")).toEqual([]);
    expect(firewall.ports.size).toBe(0);
  });

  it("nat-unprotected: mappings without openings; internal: nothing", async () => {
    const { both, firewall } = setup({ networks: [network({ id: "n1", mode4: "nat-unprotected", mode6: "nat-unprotected" })] });
    await both("e1", "e1", [e1]);
    expect(firewall.ports.get("e1")?.openings).toEqual([]);
    expect(firewall.ports.get("e1")?.mappings.length).toBe(2);
    const internal = setup({ networks: [network({ id: "n1", internal: true })] });
    await internal.both("e1", "e1", [e1]);
    expect(internal.publisher.bindings("e1")).toEqual([]);
  });

  it("two single-stack gateways of one sandbox get one host port for a dual-stack binding", async () => {
    const { publisher, both } = setup({ networks: nets });
    await both("ep4", "ep6", [ep4, ep6]);
    expect(publisher.bindings("ep4")[0]?.hostPort).toBe(publisher.bindings("ep6")[0]?.hostPort);
  });

  it("a UDP mapping that appears or moves flushes its conntrack entries", async () => {
    const { both, ctx } = setup({ networks: nets, proxy: false });
    ctx.kernel.seedConntrack(ctx.hostNetns, { family: 4, protocol: "udp", origSrc: "198.51.100.2", origDst: "198.51.100.1", origDstPort: 5353, replySrc: "10.32.9.9" });
    await both("ep4", null, [ep4], [udp(53, 5353)]);
    const deletes = ctx.kernel.callsTo("conntrack.delete").map((c) => c.args[1]);
    expect(deletes).toContainEqual({ family: 4, protocol: "udp", origDstPort: 5353 });
    expect(await ctx.kernel.conntrack.delete(ctx.hostNetns, { family: 4, protocol: "udp" })).toBe(0);
  });
});

describe("publisher: persistence", () => {
  it("restore re-creates stored bindings with the same host ports; the replay is a no-op", async () => {
    const first = setup();
    await first.both("e1", "e1", [e1], [tcp(80), udp(53, 5300, 5399)]);
    const before = first.publisher.bindings("e1");
    await first.publisher.close();
    expect(first.proxy.count()).toBe(0);
    const ctx = testContext({ proxy: true, state: first.ctx.state });
    ctx.ports.requestPortsInRange(["0.0.0.0"], "tcp", 40000, 40000); // the cursor would hand out 40000 again
    ctx.ports.releasePort("0.0.0.0", "tcp", 40000);
    const second = setup({ ctx });
    await second.publisher.restore([e1]);
    expect(second.publisher.bindings("e1")).toEqual(before);
    expect(second.firewall.ports.get("e1")?.mappings.length).toBe(4);
    const calls = second.firewall.calls;
    await second.both("e1", "e1", [e1], [tcp(80), udp(53, 5300, 5399)]);
    expect(second.firewall.calls).toBe(calls);
    await second.publisher.releaseEndpoint("e1");
    expect(ctx.state.data.size).toBe(0);
    expect(second.proxy.count()).toBe(0);
  });
});
