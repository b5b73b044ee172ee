/** TestBridgeICC and TestBridgeINC (reference §8.2 items 19–20) with real packets. */
import { useTestEnv } from "@netd/testing";
import { describe, expect, it } from "vitest";
import { openWorld } from "../support/world.js";

const addr = (cidr: string | null): string => (cidr ?? "").split("/")[0]!;

describe("bridge connectivity between containers", () => {
  const env = useTestEnv("bridge-icc");

  it("TestBridgeICC: icc on lets containers on one bridge talk over IPv4 and IPv6; icc off stops them", async () => {
    const w = await openWorld(env());
    await w.agent.call("createNetwork", { name: "iccon", enableIPv6: true, ipam: { ipv4: { subnet: "10.31.1.0/24" }, ipv6: { subnet: "fd00:31:1::/64" } } });
    await w.agent.call("createNetwork", {
      name: "iccoff",
      enableIPv6: true,
      ipam: { ipv4: { subnet: "10.31.2.0/24" }, ipv6: { subnet: "fd00:31:2::/64" } },
      options: { "com.docker.network.bridge.enable_icc": "false" },
    });
    const c1 = await w.sandbox("c1");
    const c2 = await w.sandbox("c2");
    const c3 = await w.sandbox("c3");
    const c4 = await w.sandbox("c4", { portBindings: [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 40081, hostPortEnd: 40081 }] });
    await w.agent.call("connect", "iccon", "c1", {});
    const e2 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "iccon", "c2", {});
    await w.agent.call("connect", "iccoff", "c3", {});
    const e4 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "iccoff", "c4", {});
    await env().startEchoServer(c2.ns, { proto: "tcp", address: "::", port: 80 });
    await env().startEchoServer(c4.ns, { proto: "tcp", address: "::", port: 80 });

    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: addr(e2.ipv4), port: 80, payload: "v4" })).toBe("echo:v4");
    expect(await env().sendAndReceive(c1.ns, { proto: "tcp", address: addr(e2.ipv6), port: 80, payload: "v6" })).toBe("echo:v6");
    // The bridge ports carry that IPv6 traffic with no IPv6 of their own: no link-local address.
    const ports = (await w.host.ipJson(["addr", "show", "type", "veth"])) as Array<{ ifname: string; addr_info: Array<{ family: string; local: string }> }>;
    expect(ports.length).toBe(4);
    expect(ports.flatMap((p) => p.addr_info.map((a) => `${p.ifname} ${a.family} ${a.local}`))).toEqual([]);
    expect(await env().canReach(c3.ns, { proto: "tcp", address: addr(e4.ipv4), port: 80 })).toBe(false);
    expect(await env().canReach(c3.ns, { proto: "tcp", address: addr(e4.ipv6), port: 80 })).toBe(false);
    // A port c4 published on the host stays usable for its neighbour (as with Docker's proxy).
    expect(await env().sendAndReceive(c3.ns, { proto: "tcp", address: "10.31.2.1", port: 40081, payload: "pub" })).toBe("echo:pub");
    // The gateway (the host) still answers on the icc-off bridge.
    await env().startEchoServer(w.host, { proto: "tcp", address: "10.31.2.1", port: 7001 });
    expect(await env().sendAndReceive(c3.ns, { proto: "tcp", address: "10.31.2.1", port: 7001, payload: "gw" })).toBe("echo:gw");
    await w.agent.call("close");
  });

  it("TestBridgeINC: containers on different bridge networks cannot reach each other directly", async () => {
    const w = await openWorld(env());
    await w.agent.call("createNetwork", { name: "inca", enableIPv6: true, ipam: { ipv4: { subnet: "10.31.3.0/24" }, ipv6: { subnet: "fd00:31:3::/64" } } });
    await w.agent.call("createNetwork", { name: "incb", enableIPv6: true, ipam: { ipv4: { subnet: "10.31.4.0/24" }, ipv6: { subnet: "fd00:31:4::/64" } } });
    const a = await w.sandbox("a");
    const b = await w.sandbox("b");
    const ea = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "inca", "a", {});
    const eb = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "incb", "b", {});
    await env().startEchoServer(a.ns, { proto: "tcp", address: "::", port: 80 });
    await env().startEchoServer(b.ns, { proto: "tcp", address: "::", port: 80 });
    for (const [from, to] of [[a, eb], [b, ea]] as const) {
      expect(await env().canReach(from.ns, { proto: "tcp", address: addr(to.ipv4), port: 80 })).toBe(false);
      expect(await env().canReach(from.ns, { proto: "tcp", address: addr(to.ipv6), port: 80 })).toBe(false);
    }
    // Control: both reach the host through their own gateways, so the drop is the firewall's.
    await env().startEchoServer(w.host, { proto: "tcp", address: "::", port: 7002 });
    expect(await env().sendAndReceive(a.ns, { proto: "tcp", address: "10.31.4.1", port: 7002, payload: "x" })).toBe("echo:x");
    await w.agent.call("close");
  });
});
