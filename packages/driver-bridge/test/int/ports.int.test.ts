// Port publishing with real packets (reference §8.1, §8.3): the stack runs in the test's
// "host" namespace through the agent; clients run in host, remote and sandbox namespaces.
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, makeWorld, tcpPb, udpPb } from "../support/ports-world.js";

interface Binding {
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  protocol: string;
}
const info = async (agent: { call<T>(m: string, ...a: unknown[]): Promise<T> }, id: string) =>
  (await agent.call<{ portBindings: Binding[] }>("endpointInfo", id)).portBindings.map((b) => `${b.hostIp}:${b.hostPort}`).sort();

describe("published ports", () => {
  const env = useTestEnv("bridge-ports");

  it("TestDisableNAT: nat4 + routed6 — NAT on IPv4, opening on IPv6; inspect shapes", async () => {
    const w = await makeWorld(env(), { userlandProxy: true });
    await w.network("n1", 1, true, true, { "com.docker.network.bridge.gateway_mode_ipv6": "routed" });
    const c1 = await w.sandbox("c1", [tcpPb(80, 8080)]);
    const ep = await w.connect("n1", "c1");
    expect(await info(w.agent, ep.id)).toEqual(["0.0.0.0:8080", ":::0"]);
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    await w.remote.exec(["ip", "-6", "route", "add", "fd00:32:1::/64", "via", HOST6]);
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8080, payload: "v4" })).toBe("echo:v4");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: ep.ipv6!, port: 80, payload: "v6" })).toBe("echo:v6");
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST6, port: 8080 })).toBe(false);
    await w.agent.call("close");
  });

  it("TestDisableNAT: routed4 + nat6 — the reverse", async () => {
    const w = await makeWorld(env(), { userlandProxy: false });
    await w.network("n1", 2, true, true, { "com.docker.network.bridge.gateway_mode_ipv4": "routed" });
    const c1 = await w.sandbox("c1", [tcpPb(80, 8080)]);
    const ep = await w.connect("n1", "c1");
    expect(await info(w.agent, ep.id)).toEqual(["0.0.0.0:0", ":::8080"]);
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    await w.remote.exec(["ip", "route", "add", "10.32.2.0/24", "via", HOST4]);
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8080, payload: "v6" })).toBe("echo:v6");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: ep.ipv4!, port: 80, payload: "v4" })).toBe("echo:v4");
    await w.agent.call("close");
  });

  it("TestProxy4To6 + TestAccessPublishedPortFromHost (proxy on): 127.0.0.1, ::1, host v4/v6 addresses", async () => {
    const w = await makeWorld(env(), { userlandProxy: true });
    await w.network("n4", 3, true, false);
    const c1 = await w.sandbox("c1", [tcpPb(80, 8080)]);
    const ep = await w.connect("n4", "c1");
    expect(await info(w.agent, ep.id)).toEqual(["0.0.0.0:8080", ":::8080"]);
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "0.0.0.0", port: 80 });
    for (const address of ["127.0.0.1", "::1", HOST4, HOST6]) {
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address, port: 8080, payload: address })).toBe(`echo:${address}`);
    }
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8080, payload: "6to4" })).toBe("echo:6to4");
    await w.agent.call("close");
  });

  it("TestAccessPublishedPortFromHost (proxy off) and TestAccessPublishedPortFromCtr (neighbour and itself)", async () => {
    const w = await makeWorld(env(), { userlandProxy: false });
    await w.network("n1", 4, true, true);
    const c1 = await w.sandbox("c1", [tcpPb(80, 8080)]);
    const c2 = await w.sandbox("c2", []);
    await w.connect("n1", "c1");
    await w.connect("n1", "c2");
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    for (const address of ["127.0.0.1", HOST4, HOST6]) {
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address, port: 8080, payload: "h" })).toBe("echo:h");
    }
    for (const ns of [c2.ns, c1.ns]) {
      expect(await env().sendAndReceive(ns, { proto: "tcp", address: HOST4, port: 8080, payload: "c" })).toBe("echo:c");
    }
    await w.agent.call("close");
  });

  it("TestMixAnyWithSpecificHostAddrs + TestPortMappingOnDistinctLoopbackAddrs (udp)", async () => {
    const w = await makeWorld(env(), { userlandProxy: true });
    await w.network("n1", 5, true, true);
    const a = await w.sandbox("a", [udpPb(80, 0, "127.0.0.1"), udpPb(81), udpPb(82), udpPb(1716, 1716, "127.0.1.2")]);
    const b = await w.sandbox("b", [udpPb(1716, 1716, "127.0.1.3")]);
    const epa = await w.connect("n1", "a");
    await w.connect("n1", "b");
    const bs = (await w.agent.call<{ portBindings: Binding[] }>("endpointInfo", epa.id)).portBindings;
    const port = (cp: number, ip: string) => bs.find((x) => x.containerPort === cp && x.hostIp === ip)?.hostPort;
    expect(port(81, "0.0.0.0")).toBe(port(81, "::"));
    expect(port(82, "0.0.0.0")).toBe(port(82, "::"));
    expect(new Set([port(80, "127.0.0.1"), port(81, "0.0.0.0"), port(82, "0.0.0.0")]).size).toBe(3);
    await env().startEchoServer(a.ns, { proto: "udp", address: "0.0.0.0", port: 1716, reply: "a" });
    await env().startEchoServer(b.ns, { proto: "udp", address: "0.0.0.0", port: 1716, reply: "b" });
    expect(await env().sendAndReceive(w.host, { proto: "udp", address: "127.0.1.2", port: 1716, payload: "x" })).toBe("a:x");
    expect(await env().sendAndReceive(w.host, { proto: "udp", address: "127.0.1.3", port: 1716, payload: "x" })).toBe("b:x");
    await w.agent.call("close");
  });

  it("TestPublishedPortAlreadyInUse: another process holds the host port — clear error, nothing left", async () => {
    const w = await makeWorld(env(), { userlandProxy: false });
    await w.network("n1", 6, true, true);
    const squatter = await env().startEchoServer(w.host, { proto: "tcp", address: "0.0.0.0", port: 8000 });
    await w.sandbox("c1", [tcpPb(80, 8000)]);
    await expect(w.connect("n1", "c1")).rejects.toThrow(/failed to bind host port 0.0.0.0:8000\/tcp: address already in use/);
    const eps = await w.agent.call<unknown[]>("endpoints");
    expect(eps).toEqual([]);
    await squatter.stop();
    // The port is free again in netd's allocator and the kernel: a retry works.
    const ep = await w.connect("n1", "c1");
    expect(await info(w.agent, ep.id)).toEqual(["0.0.0.0:8000", ":::8000"]);
    await w.agent.call("close");
  });

  it("TestDirectRemoteAccessOnExposedPort + TestAccessPortPublishedOnLoopbackAddress", async () => {
    const w = await makeWorld(env(), { userlandProxy: false });
    await w.network("n1", 7, true, false);
    const c1 = await w.sandbox("c1", [udpPb(5000, 5000), udpPb(5001, 5001, "127.0.0.2")]);
    const ep = await w.connect("n1", "c1");
    await env().startEchoServer(c1.ns, { proto: "udp", address: "0.0.0.0", port: 5000 });
    await env().startEchoServer(c1.ns, { proto: "udp", address: "0.0.0.0", port: 5001 });
    expect(await env().sendAndReceive(w.remote, { proto: "udp", address: HOST4, port: 5000, payload: "pub" })).toBe("echo:pub");
    await w.remote.exec(["ip", "route", "add", "10.32.7.0/24", "via", HOST4]);
    await w.remote.exec(["ip", "route", "add", "127.0.0.2/32", "via", HOST4]);
    expect(await env().canReach(w.remote, { proto: "udp", address: ep.ipv4!, port: 5000 })).toBe(false);
    expect(await env().canReach(w.remote, { proto: "udp", address: "127.0.0.2", port: 5001 })).toBe(false);
    expect(await env().sendAndReceive(w.host, { proto: "udp", address: "127.0.0.2", port: 5001, payload: "lo" })).toBe("echo:lo");
    await w.agent.call("close");
  });
});
