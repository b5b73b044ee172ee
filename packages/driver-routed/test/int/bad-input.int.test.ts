// Bad input to the routed driver with the real stack: requested host IPs and ports are
// ignored with a notice and the port still works; unknown and refused options are errors
// naming the key; a failed create leaves links, addresses and nft exactly as before.
import { describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { HOST4, must, openWorld, tcp } from "../support/world.js";

/** Links, addresses (without lifetimes and counters) and the whole nft ruleset of a namespace. */
async function kernelState(ns: TestNetns): Promise<unknown> {
  const strip = (list: unknown): unknown =>
    (list as Array<Record<string, unknown>>).map(({ stats64: _s, ...l }) => {
      void _s;
      if (Array.isArray(l.addr_info)) l.addr_info = (l.addr_info as Array<Record<string, unknown>>).map(({ valid_life_time: _v, preferred_life_time: _p, ...a }) => (void _v, void _p, a));
      return l;
    });
  return { links: strip(await ns.ipJson(["link"])), addrs: strip(await ns.ipJson(["addr"])), nft: (await must(ns, ["nft", "list", "ruleset"])).replace(/packets \d+ bytes \d+/g, "") };
}

describe("routed driver: bad input", () => {
  const env = useTestEnv("routed-bad");

  it("a host port and a host IP are ignored with a notice; the container port is reachable on its address", async () => {
    const w = await openWorld(env());
    await w.network("r", 30, "routed");
    const c1 = await w.sandbox("c1", [tcp(80, 8080, HOST4), tcp(81, 8081)]);
    await w.agent.call("logs");
    const ep = await w.connect("r", "c1");
    const logs = await w.agent.call<string[]>("logs");
    expect(logs).toContain(`Using address 0.0.0.0 because NAT is disabled (80/tcp, ${HOST4} ignored)`);
    expect(logs).toContain("Host port ignored, because NAT is disabled (80/tcp, host port 8080)");
    expect(logs).toContain("Host port ignored, because NAT is disabled (81/tcp, host port 8081)");
    const info = await w.agent.call<{ portBindings: Array<{ hostIp: string; hostPort: number; containerPort: number }> }>("endpointInfo", ep.id);
    expect(info.portBindings.map((b) => `${b.hostIp}:${b.hostPort}->${b.containerPort}`).sort()).toEqual(["0.0.0.0:0->80", "0.0.0.0:0->81", ":::0->81"]);
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 81 });
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: ep.ipv4!, port: 80, payload: "a" })).toBe("echo:a");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: ep.ipv6!, port: 81, payload: "b" })).toBe("echo:b");
    // No host port: nothing is DNATed or listening on the host.
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST4, port: 8080 })).toBe(false);
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST4, port: 8081 })).toBe(false);
    await w.close();
  });

  it("unknown, refused and invalid options are errors naming the key; nothing is left behind", async () => {
    const w = await openWorld(env());
    // One routed network exists, so its table must come out of the failures unchanged too.
    await w.network("ok", 31, "routed");
    const before = await kernelState(w.host);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ "com.docker.network.bridge.gateway_mode_ipv4": "nat" }, /option com\.docker\.network\.bridge\.gateway_mode_ipv4=nat is not accepted by the routed driver/],
      [{ "com.docker.network.bridge.enable_ip_masquerade": "true" }, /enable_ip_masquerade=true is not accepted by the routed driver.*never masquerades/],
      [{ "com.docker.network.host_ipv4": "198.51.100.1" }, /host_ipv4=198\.51\.100\.1 is not accepted/],
      [{ "no.such.option": "1" }, /unknown network option 'no\.such\.option' for the routed driver/],
      [{ "com.docker.network.driver.mtu": "12" }, /option com\.docker\.network\.driver\.mtu has invalid value '12'/],
      // Passes validation, fails in the kernel check: the bridge name is taken by the uplink.
      [{ "com.docker.network.bridge.name": "up0" }, /up0/],
    ];
    for (const [i, [options, message]] of cases.entries()) {
      await expect(w.network(`bad${i}`, 40 + i, "routed", options)).rejects.toThrow(message);
    }
    expect(await kernelState(w.host)).toEqual(before);
    // The good network still works after the failures.
    await w.sandbox("c1", [tcp(80)]);
    const ep = await w.connect("ok", "c1");
    expect(await w.setElements("netd_routed", "open4")).toEqual([`${ep.ipv4!} . tcp . 80`]);
    await w.close();
  });
});
