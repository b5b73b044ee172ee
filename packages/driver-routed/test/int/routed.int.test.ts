// Routed networks with real packets (reference §5, §8.1–§8.2): the routed driver next to the
// bridge driver in one Controller, in the test's "host" namespace; a "remote" namespace routes
// 10.33.0.0/16 and fd00:33::/32 via the host. Subnets 10.33.x.0/24, fd00:33:x::/64.
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, must, openWorld, tcp, udp } from "../support/world.js";

const ROUTED_BRIDGE = { "com.docker.network.bridge.gateway_mode_ipv4": "routed", "com.docker.network.bridge.gateway_mode_ipv6": "routed" };
const UNPROTECTED = { "com.docker.network.bridge.gateway_mode_ipv4": "nat-unprotected", "com.docker.network.bridge.gateway_mode_ipv6": "nat-unprotected" };

describe("routed networks", () => {
  const env = useTestEnv("routed");

  it.each([
    ["the routed driver", "routed", {}],
    ["the bridge with gateway_mode_ipv4/ipv6=routed", "bridge", ROUTED_BRIDGE],
  ] as const)("TestRoutedNonGateway (%s): published port open on the routed address although nat is the gateway", async (_what, driver, options) => {
    const w = await openWorld(env());
    await w.network("natnet", 1, "bridge");
    await w.network("routednet", 2, driver, options);
    const c1 = await w.sandbox("c1", [tcp(80, 8080)]);
    const nat = await w.connect("natnet", "c1", { gwPriority: 1 });
    const routed = await w.connect("routednet", "c1", { gwPriority: 0 });
    expect(await must(c1.ns, ["ip", "-4", "route", "show", "default"])).toContain("via 10.33.1.1");
    expect(await must(c1.ns, ["ip", "-6", "route", "show", "default"])).toContain("via fd00:33:1::1");
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    for (const address of [HOST4, HOST6]) {
      expect(await env().sendAndReceive(w.remote, { proto: "tcp", address, port: 8080, payload: `host ${address}` })).toBe(`echo:host ${address}`);
    }
    for (const address of [routed.ipv4!, routed.ipv6!]) {
      expect(await env().sendAndReceive(w.remote, { proto: "tcp", address, port: 80, payload: `routed ${address}` })).toBe(`echo:routed ${address}`);
    }
    for (const address of [nat.ipv4!, nat.ipv6!]) {
      expect(await env().canReach(w.remote, { proto: "tcp", address, port: 80 }), `nat address ${address}`).toBe(false);
    }
    await w.close();
  });

  it("TestDirectRoutingOpenPorts: nat all fail; nat-unprotected all ok; routed ping + published ok, unpublished fails", async () => {
    const w = await openWorld(env(), { userlandProxy: false });
    await w.network("nat", 3, "bridge");
    await w.network("unprot", 4, "bridge", UNPROTECTED);
    await w.network("routed", 5, "routed");
    const expected = { nat: [false, false, false], unprot: [true, true, true], routed: [true, true, false] } as const;
    for (const [net, [ping, pub, unpub]] of Object.entries(expected)) {
      const sb = await w.sandbox(`c-${net}`, [tcp(80)]);
      const ep = await w.connect(net, `c-${net}`);
      await env().startEchoServer(sb.ns, { proto: "tcp", address: "::", port: 80 });
      await env().startEchoServer(sb.ns, { proto: "tcp", address: "::", port: 81 });
      for (const address of [ep.ipv4!, ep.ipv6!]) {
        expect(await w.ping(w.remote, address), `${net}: ping ${address}`).toBe(ping);
        expect(await env().canReach(w.remote, { proto: "tcp", address, port: 80 }), `${net}: published ${address}:80`).toBe(pub);
        expect(await env().canReach(w.remote, { proto: "tcp", address, port: 81 }), `${net}: unpublished ${address}:81`).toBe(unpub);
      }
    }
    await w.close();
  });

  it("TestBridgeINCRouted: nat → routed: ping, published ok, unpublished fails; routed → nat: ping and http fail", async () => {
    const w = await openWorld(env());
    await w.network("nat", 6, "bridge");
    await w.network("routed", 7, "routed");
    const onNat = await w.sandbox("on-nat", [tcp(80)]);
    const onRouted = await w.sandbox("on-routed", [tcp(80)]);
    const natEp = await w.connect("nat", "on-nat");
    const routedEp = await w.connect("routed", "on-routed");
    for (const sb of [onNat, onRouted]) {
      await env().startEchoServer(sb.ns, { proto: "tcp", address: "::", port: 80 });
      await env().startEchoServer(sb.ns, { proto: "tcp", address: "::", port: 81 });
    }
    for (const address of [routedEp.ipv4!, routedEp.ipv6!]) {
      expect(await w.ping(onNat.ns, address), `nat → routed ping ${address}`).toBe(true);
      expect(await env().sendAndReceive(onNat.ns, { proto: "tcp", address, port: 80, payload: "in" })).toBe("echo:in");
      expect(await env().canReach(onNat.ns, { proto: "tcp", address, port: 81 }), `nat → routed ${address}:81`).toBe(false);
    }
    for (const address of [natEp.ipv4!, natEp.ipv6!]) {
      expect(await w.ping(onRouted.ns, address), `routed → nat ping ${address}`).toBe(false);
      expect(await env().canReach(onRouted.ns, { proto: "tcp", address, port: 80 }), `routed → nat ${address}:80`).toBe(false);
    }
    await w.close();
  });

  it.each([true, false])("TestInterNetworkDirectRouting (proxy %s): from a nat client, nat blocked, routed published only, nat-unprotected all", async (userlandProxy) => {
    const w = await openWorld(env(), { userlandProxy });
    await w.network("client", 8, "bridge");
    await w.network("nat", 9, "bridge");
    await w.network("routed", 10, "routed");
    await w.network("unprot", 11, "bridge", UNPROTECTED);
    const client = await w.sandbox("client");
    await w.connect("client", "client");
    const expected = { nat: [false, false], routed: [true, false], unprot: [true, true] } as const;
    for (const [net, [pub, unpub]] of Object.entries(expected)) {
      const sb = await w.sandbox(`s-${net}`, [tcp(80)]);
      const ep = await w.connect(net, `s-${net}`);
      await env().startEchoServer(sb.ns, { proto: "tcp", address: "::", port: 80 });
      await env().startEchoServer(sb.ns, { proto: "tcp", address: "::", port: 81 });
      for (const address of [ep.ipv4!, ep.ipv6!]) {
        expect(await env().canReach(client.ns, { proto: "tcp", address, port: 80 }), `${net}: published ${address}:80`).toBe(pub);
        expect(await env().canReach(client.ns, { proto: "tcp", address, port: 81 }), `${net}: unpublished ${address}:81`).toBe(unpub);
      }
    }
    await w.close();
  });

  it("a routed endpoint that becomes and stops being the gateway keeps exactly one opening per published port", async () => {
    const w = await openWorld(env());
    await w.network("routed", 12, "routed");
    await w.network("nat", 13, "bridge");
    const c1 = await w.sandbox("c1", [tcp(80, 8080), udp(53)]);
    const ep = await w.connect("routed", "c1");
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    const open4 = [`${ep.ipv4!} . tcp . 80`, `${ep.ipv4!} . udp . 53`];
    const open6 = [`${ep.ipv6!} . tcp . 80`, `${ep.ipv6!} . udp . 53`];
    const check = async (step: string, gatewayVia: string): Promise<void> => {
      expect(await must(c1.ns, ["ip", "-4", "route", "show", "default"]), step).toContain(`via ${gatewayVia}`);
      expect(await w.setElements("netd_routed", "open4"), step).toEqual(open4);
      expect(await w.setElements("netd_routed", "open6"), step).toEqual(open6);
      expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: ep.ipv4!, port: 80, payload: step })).toBe(`echo:${step}`);
    };
    await check("routed is the gateway", "10.33.12.1");
    for (let i = 1; i <= 3; i++) {
      await w.connect("nat", "c1", { gwPriority: 10 });
      await check(`round ${i}: nat is the gateway`, "10.33.13.1");
      await w.agent.call("disconnect", "nat", "c1");
      await check(`round ${i}: routed is the gateway again`, "10.33.12.1");
    }
    // Inspect: routed bindings only, 0.0.0.0 / :: with host port 0.
    const info = await w.agent.call<{ portBindings: Array<{ hostIp: string; hostPort: number }> }>("endpointInfo", ep.id);
    expect(info.portBindings.map((b) => `${b.hostIp}:${b.hostPort}`).sort()).toEqual(["0.0.0.0:0", "0.0.0.0:0", ":::0", ":::0"]);
    await w.agent.call("disconnect", "routed", "c1");
    expect(await w.setElements("netd_routed", "open4")).toEqual([]);
    expect(await w.setElements("netd_routed", "open6")).toEqual([]);
    await w.close();
  });
});
