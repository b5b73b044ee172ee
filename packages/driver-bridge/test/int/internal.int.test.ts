/** TestInternalNwConnectivity and TestIsolated (reference §8.2 item 26, §8.3 item 54). */
import { useTestEnv } from "@netd/testing";
import { describe, expect, it } from "vitest";
import { HOST_UPLINK4, HOST_UPLINK6, openWorld, REMOTE4, REMOTE6 } from "../support/world.js";

const addr = (cidr: string | null): string => (cidr ?? "").split("/")[0]!;

describe("internal bridge networks", () => {
  const env = useTestEnv("bridge-internal");

  it("TestInternalNwConnectivity: containers talk to each other and the gateway; nothing leaves the subnet", async () => {
    const w = await openWorld(env(), { remote: true });
    await w.agent.call("createNetwork", { name: "int", internal: true, enableIPv6: true, ipam: { ipv4: { subnet: "10.31.5.0/24" }, ipv6: { subnet: "fd00:31:5::/64" } } });
    const c1 = await w.sandbox("c1");
    const c2 = await w.sandbox("c2");
    const e1 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "int", "c1", {});
    const e2 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "int", "c2", {});
    await env().startEchoServer(c2.ns, { proto: "tcp", address: "::", port: 80 });
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: addr(e2.ipv4), port: 80, payload: "a" })).toBe("echo:a");
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: addr(e2.ipv6), port: 80, payload: "b" })).toBe("echo:b");
    // The gateway addresses (the host's bridge) answer.
    await env().startEchoServer(w.host, { proto: "tcp", address: "::", port: 7003 });
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: "10.31.5.1", port: 7003, payload: "g4" })).toBe("echo:g4");
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: "fd00:31:5::1", port: 7003, payload: "g6" })).toBe("echo:g6");
    // No default route is given on an internal network...
    expect(await c1.ns.ipJson(["route", "show", "default"])).toEqual([]);
    expect(await c1.ns.ipJson(["-6", "route", "show", "default"])).toEqual([]);
    // ...and even with one added by hand, the firewall keeps traffic inside the subnet.
    await env().startEchoServer(w.remote!, { proto: "tcp", address: "::", port: 7000 });
    await w.remote!.exec(["ip", "route", "add", "10.31.5.0/24", "via", HOST_UPLINK4]);
    await w.remote!.exec(["ip", "-6", "route", "add", "fd00:31:5::/64", "via", HOST_UPLINK6]);
    await c1.ns.exec(["ip", "route", "add", "default", "via", "10.31.5.1"]);
    await c1.ns.exec(["ip", "-6", "route", "add", "default", "via", "fd00:31:5::1"]);
    expect(await env().canReach(c1.ns, { proto: "tcp", address: REMOTE4, port: 7000 })).toBe(false);
    expect(await env().canReach(c1.ns, { proto: "tcp", address: REMOTE6, port: 7000 })).toBe(false);
    expect(await env().canReach(w.remote!, { proto: "tcp", address: addr(e1.ipv4), port: 80 })).toBe(false);
    // Control: the host itself reaches the remote, so the drop is the bridge's forward chain.
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: REMOTE4, port: 7000, payload: "h" })).toBe("echo:h");
    await w.agent.call("close");
  });

  it("TestIsolated: an isolated internal network has no address on the bridge; containers talk over v4 and v6", async () => {
    const w = await openWorld(env());
    const net = await w.agent.call<{ id: string }>("createNetwork", {
      name: "iso",
      internal: true,
      enableIPv6: true,
      ipam: { ipv4: { subnet: "10.31.7.0/24" }, ipv6: { subnet: "fd00:31:7::/64" } },
      options: { "com.docker.network.bridge.gateway_mode_ipv4": "isolated", "com.docker.network.bridge.gateway_mode_ipv6": "isolated", "com.docker.network.bridge.name": "br-iso" },
    });
    expect(net.id).toBeTruthy();
    const c1 = await w.sandbox("c1");
    const c2 = await w.sandbox("c2");
    await w.agent.call("connect", "iso", "c1", {});
    const e2 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "iso", "c2", {});
    const br = (await w.host.ipJson(["addr", "show", "dev", "br-iso"])) as Array<{ addr_info: unknown[] }>;
    expect(br[0]!.addr_info).toEqual([]);
    expect((await w.host.exec(["cat", "/proc/sys/net/ipv6/conf/br-iso/disable_ipv6"])).stdout.trim()).toBe("1");
    await env().startEchoServer(c2.ns, { proto: "tcp", address: "::", port: 80 });
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: addr(e2.ipv4), port: 80, payload: "4" })).toBe("echo:4");
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: addr(e2.ipv6), port: 80, payload: "6" })).toBe("echo:6");
    await w.agent.call("close");
  });

  it("TestPointToPoint: an internal /31 with inhibit_ipv4 has two usable addresses and the containers talk", async () => {
    const w = await openWorld(env());
    await w.agent.call("createNetwork", {
      name: "p2p",
      internal: true,
      ipam: { ipv4: { subnet: "10.31.8.0/31" } },
      options: { "com.docker.network.bridge.inhibit_ipv4": "true", "com.docker.network.bridge.name": "br-p2p" },
    });
    const c1 = await w.sandbox("c1");
    const c2 = await w.sandbox("c2");
    const e1 = await w.agent.call<{ ipv4: string }>("connect", "p2p", "c1", {});
    const e2 = await w.agent.call<{ ipv4: string }>("connect", "p2p", "c2", {});
    expect([e1.ipv4, e2.ipv4].sort()).toEqual(["10.31.8.0/31", "10.31.8.1/31"]);
    const br = (await w.host.ipJson(["-4", "addr", "show", "dev", "br-p2p"])) as Array<{ addr_info: unknown[] }>;
    expect(br[0]?.addr_info ?? []).toEqual([]);
    await env().startEchoServer(c2.ns, { proto: "tcp", address: "0.0.0.0", port: 80 });
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: addr(e2.ipv4), port: 80, payload: "p" })).toBe("echo:p");
    await w.agent.call("close");
  });
});
