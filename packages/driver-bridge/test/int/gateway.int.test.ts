// TestGatewaySelection (reference §8.2 #36) with real packets: at each step, which container
// address answers host port 8080 over IPv4 and IPv6, and the 6-to-4 binding coming back on the
// same (ephemeral) host port after several flips. The ipvlan step is not run: ipvlan does not
// exist on this kernel (an IPv6 gateway of another driver is covered by the publisher's unit test).
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import type { TestNetns } from "@netd/testing";
import { HOST4, HOST6, makeWorld, tcpPb } from "../support/ports-world.js";

describe("gateway selection drives port publishing", () => {
  const env = useTestEnv("bridge-gw");

  it("TestGatewaySelection: 8080 follows gw4/gw6; 6-to-4 on the same host port after flips", async () => {
    const w = await makeWorld(env(), { userlandProxy: true });
    await w.network("net4", 11, true, false);
    await w.network("net6", 12, false, true);
    await w.network("net46", 13, true, true);
    const c = await w.sandbox("c1", [tcpPb(80, 8080), tcpPb(81)]);
    const ep4 = await w.connect("net4", "c1");
    const server = await env().startEchoServer(c.ns, { proto: "tcp", address: "::", port: 80, reply: "c" });
    const server81 = await env().startEchoServer(c.ns, { proto: "tcp", address: "::", port: 81, reply: "c" });
    const who = async (ns: TestNetns, address: string, port: number) =>
      (await env().canReach(ns, { proto: "tcp", address, port })) ? "ok" : "no";
    const eph = async () => {
      const info = await w.agent.call<{ portBindings: Array<{ containerPort: number; hostIp: string; hostPort: number }> }>("endpointInfo", ep4.id);
      return info.portBindings.filter((b) => b.containerPort === 81).map((b) => `${b.hostIp}:${b.hostPort}`).sort();
    };

    expect(await who(w.remote, HOST4, 8080)).toBe("ok");
    expect(await who(w.remote, HOST6, 8080)).toBe("ok"); // 6-to-4 through the proxy
    const first = await eph();
    expect(first).toHaveLength(2);
    const port81 = Number(first[0]!.split(":").pop());
    expect(first).toEqual([`0.0.0.0:${port81}`, `:::${port81}`]);

    for (let i = 0; i < 2; i++) {
      // Connect IPv6-only net6: IPv6 moves to it, IPv4 stays on net4.
      const ep6 = await w.connect("net6", "c1");
      expect(await eph()).toEqual([`0.0.0.0:${port81}`]);
      const info6 = await w.agent.call<{ portBindings: Array<{ hostIp: string; containerIp: string; hostPort: number }> }>("endpointInfo", ep6.id);
      expect(info6.portBindings.map((b) => b.containerIp)).toEqual(expect.arrayContaining([ep6.ipv6]));
      expect(await who(w.remote, HOST4, 8080)).toBe("ok");
      expect(await who(w.remote, HOST6, 8080)).toBe("ok"); // DNAT to net6's address
      // Disconnect net6: 6-to-4 comes back on the SAME ephemeral port.
      await w.agent.call("disconnect", "net6", "c1");
      expect(await eph()).toEqual([`0.0.0.0:${port81}`, `:::${port81}`]);
      expect(await who(w.remote, HOST6, port81)).toBe("ok");
    }

    // Dual-stack net46 becomes both gateways; disconnect returns to net4 with 6-to-4.
    const ep46 = await w.connect("net46", "c1");
    expect(await eph()).toEqual([]);
    const info46 = await w.agent.call<{ portBindings: Array<{ containerIp: string; hostPort: number; containerPort: number }> }>("endpointInfo", ep46.id);
    expect(info46.portBindings.filter((b) => b.containerPort === 80).map((b) => b.containerIp).sort()).toEqual([ep46.ipv4, ep46.ipv6].sort());
    expect(await who(w.remote, HOST4, 8080)).toBe("ok");
    expect(await who(w.remote, HOST6, 8080)).toBe("ok");
    await w.agent.call("disconnect", "net46", "c1");
    expect(await eph()).toEqual([`0.0.0.0:${port81}`, `:::${port81}`]);
    expect(await who(w.remote, HOST4, 8080)).toBe("ok");
    expect(await who(w.remote, HOST6, 8080)).toBe("ok");
    await server.stop();
    await server81.stop();
    await w.agent.call("close");
  });
});
