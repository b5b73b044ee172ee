/**
 * Egress NAT and direct access from outside (reference §4.8, nftables-layout.md §5 d1–d2,
 * e1–e2): masquerade to the uplink address, SNAT to host_ipv4, the raw guard against direct
 * access to a NAT-mode container, and controls in nat-unprotected mode and with masquerade off.
 */
import { useTestEnv, type TestNetns } from "@netd/testing";
import { describe, expect, it } from "vitest";
import { HOST_UPLINK4, HOST_UPLINK6, openWorld, REMOTE4, REMOTE6 } from "../support/world.js";

const addr = (cidr: string | null): string => (cidr ?? "").split("/")[0]!;

/** The reply destination of the host's conntrack entry for UDP to `port` (the address the remote answered). */
async function replyDst(host: TestNetns, family: 4 | 6, port: number): Promise<string> {
  const r = await host.exec(["conntrack", "-L", "-f", family === 4 ? "ipv4" : "ipv6", "-p", "udp", "--dport", String(port)]);
  const line = r.stdout.split("\n").find((l) => l.includes(`dport=${port}`)) ?? "";
  const dsts = [...line.matchAll(/dst=(\S+)/g)].map((m) => m[1]!);
  return dsts[1] ?? `(no entry: ${r.stdout.trim()} ${r.stderr.trim()})`;
}

describe("bridge egress NAT and direct access", () => {
  const env = useTestEnv("bridge-egress");

  it("masquerades egress to the uplink address over IPv4 and IPv6; with masquerade off the remote cannot answer", async () => {
    const w = await openWorld(env(), { remote: true });
    await w.agent.call("createNetwork", { name: "nat", enableIPv6: true, ipam: { ipv4: { subnet: "10.31.9.0/24" }, ipv6: { subnet: "fd00:31:9::/64" } } });
    await w.agent.call("createNetwork", {
      name: "nomasq",
      enableIPv6: true,
      ipam: { ipv4: { subnet: "10.31.10.0/24" }, ipv6: { subnet: "fd00:31:10::/64" } },
      options: { "com.docker.network.bridge.enable_ip_masquerade": "false" },
    });
    const c1 = await w.sandbox("c1");
    const c2 = await w.sandbox("c2");
    await w.agent.call("connect", "nat", "c1", {});
    await w.agent.call("connect", "nomasq", "c2", {});
    // The remote has no route to the container subnets: only a masqueraded flow gets an answer.
    await env().startEchoServer(w.remote!, { proto: "udp", address: "::", port: 7000 });
    expect(await env().sendAndReceive(c1.ns, { proto: "udp", address: REMOTE4, port: 7000, payload: "m4" })).toBe("echo:m4");
    expect(await env().sendAndReceive(c1.ns, { proto: "udp", address: REMOTE6, port: 7000, payload: "m6" })).toBe("echo:m6");
    expect(await replyDst(w.host, 4, 7000)).toBe(HOST_UPLINK4);
    expect(await replyDst(w.host, 6, 7000)).toBe(HOST_UPLINK6);
    expect(await env().canReach(c2.ns, { proto: "udp", address: REMOTE4, port: 7000 })).toBe(false);
    expect(await env().canReach(c2.ns, { proto: "udp", address: REMOTE6, port: 7000 })).toBe(false);
    await w.agent.call("close");
  });

  it("SNATs to com.docker.network.host_ipv4 / host_ipv6 instead of masquerading", async () => {
    const w = await openWorld(env(), { remote: true });
    await w.hostRun(["ip", "addr", "add", "198.51.100.10/24", "dev", "up0"]);
    await w.hostRun(["ip", "addr", "add", "2001:db8:31::10/64", "dev", "up0", "nodad"]);
    await w.agent.call("createNetwork", {
      name: "snat",
      enableIPv6: true,
      ipam: { ipv4: { subnet: "10.31.11.0/24" }, ipv6: { subnet: "fd00:31:11::/64" } },
      options: { "com.docker.network.host_ipv4": "198.51.100.10", "com.docker.network.host_ipv6": "2001:db8:31::10" },
    });
    const c1 = await w.sandbox("c1");
    await w.agent.call("connect", "snat", "c1", {});
    await env().startEchoServer(w.remote!, { proto: "udp", address: "::", port: 7010 });
    expect(await env().sendAndReceive(c1.ns, { proto: "udp", address: REMOTE4, port: 7010, payload: "s4" })).toBe("echo:s4");
    expect(await env().sendAndReceive(c1.ns, { proto: "udp", address: REMOTE6, port: 7010, payload: "s6" })).toBe("echo:s6");
    expect(await replyDst(w.host, 4, 7010)).toBe("198.51.100.10");
    expect(await replyDst(w.host, 6, 7010)).toBe("2001:db8:31::10");
    await w.agent.call("close");
  });

  it("drops direct access from outside to a NAT-mode container (raw guard); nat-unprotected lets it through", async () => {
    const w = await openWorld(env(), { remote: true });
    await w.agent.call("createNetwork", { name: "nat", enableIPv6: true, ipam: { ipv4: { subnet: "10.31.12.0/24" }, ipv6: { subnet: "fd00:31:12::/64" } }, options: { "com.docker.network.bridge.name": "br-guard" } });
    await w.agent.call("createNetwork", {
      name: "open",
      enableIPv6: true,
      ipam: { ipv4: { subnet: "10.31.13.0/24" }, ipv6: { subnet: "fd00:31:13::/64" } },
      options: { "com.docker.network.bridge.gateway_mode_ipv4": "nat-unprotected", "com.docker.network.bridge.gateway_mode_ipv6": "nat-unprotected" },
    });
    const c1 = await w.sandbox("c1");
    const c2 = await w.sandbox("c2");
    const e1 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "nat", "c1", {});
    const e2 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "open", "c2", {});
    for (const [net4, net6] of [["10.31.12.0/24", "fd00:31:12::/64"], ["10.31.13.0/24", "fd00:31:13::/64"]] as const) {
      await w.remote!.exec(["ip", "route", "add", net4, "via", HOST_UPLINK4]);
      await w.remote!.exec(["ip", "-6", "route", "add", net6, "via", HOST_UPLINK6]);
    }
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    await env().startEchoServer(c2.ns, { proto: "tcp", address: "::", port: 80 });
    expect(await env().canReach(w.remote!, { proto: "tcp", address: addr(e1.ipv4), port: 80 })).toBe(false);
    expect(await env().canReach(w.remote!, { proto: "tcp", address: addr(e1.ipv6), port: 80 })).toBe(false);
    const guard = JSON.stringify(await w.host.nftJson(["list", "chain", "inet", "netd", "guard__br-guard"]));
    expect(Number(/"packets":\s*(\d+)/.exec(guard)?.[1] ?? 0)).toBeGreaterThan(0);
    expect(await env().sendAndReceive(w.remote!, { proto: "tcp", address: addr(e2.ipv4), port: 80, payload: "u4" })).toBe("echo:u4");
    expect(await env().sendAndReceive(w.remote!, { proto: "tcp", address: addr(e2.ipv6), port: 80, payload: "u6" })).toBe("echo:u6");
    await w.agent.call("close");
  });

  it("routed mode: no masquerade (the remote sees the container address), unpublished ports dropped from outside", async () => {
    const w = await openWorld(env(), { remote: true });
    await w.agent.call("createNetwork", {
      name: "routed",
      enableIPv6: true,
      ipam: { ipv4: { subnet: "10.31.14.0/24" }, ipv6: { subnet: "fd00:31:14::/64" } },
      options: { "com.docker.network.bridge.gateway_mode_ipv4": "routed", "com.docker.network.bridge.gateway_mode_ipv6": "routed" },
    });
    const c1 = await w.sandbox("c1");
    const e1 = await w.agent.call<{ ipv4: string; ipv6: string }>("connect", "routed", "c1", {});
    await w.remote!.exec(["ip", "route", "add", "10.31.14.0/24", "via", HOST_UPLINK4]);
    await w.remote!.exec(["ip", "-6", "route", "add", "fd00:31:14::/64", "via", HOST_UPLINK6]);
    await env().startEchoServer(w.remote!, { proto: "udp", address: "::", port: 7020 });
    expect(await env().sendAndReceive(c1.ns, { proto: "udp", address: REMOTE4, port: 7020, payload: "r4" })).toBe("echo:r4");
    expect(await env().sendAndReceive(c1.ns, { proto: "udp", address: REMOTE6, port: 7020, payload: "r6" })).toBe("echo:r6");
    expect(await replyDst(w.host, 4, 7020)).toBe(addr(e1.ipv4));
    expect(await replyDst(w.host, 6, 7020)).toBe(addr(e1.ipv6));
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 81 });
    expect(await env().canReach(w.remote!, { proto: "tcp", address: addr(e1.ipv4), port: 81 })).toBe(false);
    expect(await env().canReach(w.remote!, { proto: "tcp", address: addr(e1.ipv6), port: 81 })).toBe(false);
    await w.agent.call("close");
  });
});
