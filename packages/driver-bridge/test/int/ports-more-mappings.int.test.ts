// TestAllPortMappingsAreReturned (reference §8.3 #57), widened: proxy off, one container on a
// v4-only and a v6-only network with several published ports. Inspect (endpointInfo of every
// endpoint, merged per sandbox as Docker's NetworkSettings.Ports) returns every mapping with the
// right host addresses and ports, each mapping reaches the right container address, and the
// IPv6 mappings go away with the IPv6 gateway (no 6-to-4 without the proxy).
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, makeWorld, tcpPb, udpPb } from "../support/ports-world.js";
import { bindingsOf, sandboxPorts } from "../support/ports-more.js";

describe("inspect returns every port mapping", () => {
  const env = useTestEnv("bridge-allmaps");

  it("TestAllPortMappingsAreReturned: v4-only + v6-only networks, proxy off", async () => {
    const w = await makeWorld(env(), { userlandProxy: false });
    await w.network("net4", 70, true, false);
    await w.network("net6", 71, false, true);
    const exposed = [
      { protocol: "tcp", port: 80 },
      { protocol: "tcp", port: 81 }, // exposed, never published: null, as Docker shows it
      { protocol: "tcp", port: 82 },
      { protocol: "udp", port: 53 },
      { protocol: "tcp", port: 84 },
      { protocol: "tcp", port: 85 },
    ];
    const portBindings = [tcpPb(80, 8000), tcpPb(82), udpPb(53, 5353), tcpPb(84, 8484, "127.0.0.1"), tcpPb(85, 8585, HOST6)];
    const c1ns = await env().netns("c1");
    const sb = await w.agent.call<{ id: string }>("createSandbox", { name: "c1", netns: c1ns.path, portBindings, exposedPorts: exposed });
    const ep4 = await w.connect("net4", "c1");
    const ep6 = await w.connect("net6", "c1");

    const ports = await sandboxPorts(w.agent, sb.id, exposed);
    const p82 = (await bindingsOf(w.agent, ep4.id)).find((b) => b.containerPort === 82)!.hostPort;
    expect(p82).toBeGreaterThanOrEqual(40000);
    expect(ports).toEqual({
      "80/tcp": ["0.0.0.0:8000", "[::]:8000"],
      "81/tcp": null,
      // One host port for both families although they live on two endpoints (netd's improvement).
      "82/tcp": [`0.0.0.0:${p82}`, `[::]:${p82}`],
      "53/udp": ["0.0.0.0:5353", "[::]:5353"],
      "84/tcp": ["127.0.0.1:8484"],
      "85/tcp": [`[${HOST6}]:8585`],
    });
    // Each family's bindings are on its own gateway endpoint and point at its address.
    const shape = async (id: string) => (await bindingsOf(w.agent, id)).map((b) => `${b.protocol}/${b.containerPort} ${b.containerIp}`).sort();
    expect(await shape(ep4.id)).toEqual([`tcp/80 ${ep4.ipv4}`, `tcp/82 ${ep4.ipv4}`, `tcp/84 ${ep4.ipv4}`, `udp/53 ${ep4.ipv4}`]);
    expect(await shape(ep6.id)).toEqual([`tcp/80 ${ep6.ipv6}`, `tcp/82 ${ep6.ipv6}`, `tcp/85 ${ep6.ipv6}`, `udp/53 ${ep6.ipv6}`]);

    // Every mapping carries packets to the container port it names.
    for (const port of [80, 82, 84, 85]) await env().startEchoServer(c1ns, { proto: "tcp", address: "::", port, reply: `c${port}` });
    await env().startEchoServer(c1ns, { proto: "udp", address: "::", port: 53, reply: "c53" });
    const reach = [
      { from: w.remote, proto: "tcp", address: HOST4, port: 8000, reply: "c80" },
      { from: w.remote, proto: "tcp", address: HOST6, port: 8000, reply: "c80" },
      { from: w.remote, proto: "tcp", address: HOST4, port: p82, reply: "c82" },
      { from: w.remote, proto: "tcp", address: HOST6, port: p82, reply: "c82" },
      { from: w.remote, proto: "udp", address: HOST4, port: 5353, reply: "c53" },
      { from: w.remote, proto: "udp", address: HOST6, port: 5353, reply: "c53" },
      { from: w.host, proto: "tcp", address: "127.0.0.1", port: 8484, reply: "c84" },
      { from: w.remote, proto: "tcp", address: HOST6, port: 8585, reply: "c85" },
    ] as const;
    for (const r of reach) {
      expect(await env().sendAndReceive(r.from, { proto: r.proto, address: r.address, port: r.port, payload: "x" })).toBe(`${r.reply}:x`);
    }
    // Bound to one address only: the other family / address is not mapped.
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST4, port: 8585 })).toBe(false);
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST4, port: 8484 })).toBe(false);

    // Without the IPv6 gateway the IPv6 mappings go; the proxy is off, so no 6-to-4 replaces them.
    await w.agent.call("disconnect", "net6", "c1");
    expect(await sandboxPorts(w.agent, sb.id, exposed)).toEqual({
      "80/tcp": ["0.0.0.0:8000"],
      "81/tcp": null,
      "82/tcp": [`0.0.0.0:${p82}`],
      "53/udp": ["0.0.0.0:5353"],
      "84/tcp": ["127.0.0.1:8484"],
      "85/tcp": null,
    });
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST6, port: 8000 })).toBe(false);
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8000, payload: "y" })).toBe("c80:y");
    await w.agent.call("close");
  });
});
