/**
 * Default routes driven by gateway changes (TestConnectWithPriority, reference §8.4 item 80)
 * and a join rolled back completely (TestJoinError, §8.3 item 67).
 */
import { useTestEnv, type TestNetns } from "@netd/testing";
import { describe, expect, it } from "vitest";
import { linkState, openWorld } from "../support/world.js";

async function defaults(ns: TestNetns): Promise<{ v4: string[]; v6: string[] }> {
  const pick = (list: unknown): string[] => (list as Array<{ gateway?: string; dev: string }>).map((r) => `${r.gateway ?? "-"} ${r.dev}`);
  return { v4: pick(await ns.ipJson(["route", "show", "default"])), v6: pick(await ns.ipJson(["-6", "route", "show", "default"])) };
}

describe("bridge endpoints and default routes", () => {
  const env = useTestEnv("bridge-endpoint");

  it("TestConnectWithPriority: default routes follow gw-priority as networks connect and disconnect", async () => {
    const w = await openWorld(env());
    for (const n of [1, 2, 3, 4, 5]) {
      await w.agent.call("createNetwork", { name: `testnet${n}`, enableIPv6: true, ipam: { ipv4: { subnet: `10.31.2${n}.0/24` }, ipv6: { subnet: `fd00:31:2${n}::/64` } } });
    }
    const c = await w.sandbox("c");
    const via = (n: number) => ({ v4: [`10.31.2${n}.1 eth${n === 1 ? 0 : n === 5 ? 1 : n}`], v6: [`fd00:31:2${n}::1 eth${n === 1 ? 0 : n === 5 ? 1 : n}`] });
    await w.agent.call("connect", "testnet1", "c", {});
    expect(await defaults(c.ns)).toEqual(via(1));
    await w.agent.call("connect", "testnet5", "c", { gwPriority: -100 });
    expect(await defaults(c.ns)).toEqual(via(1));
    await w.agent.call("connect", "testnet2", "c", { gwPriority: 100 });
    expect(await defaults(c.ns)).toEqual(via(2));
    await w.agent.call("connect", "testnet3", "c", { gwPriority: 10 });
    await w.agent.call("connect", "testnet4", "c", { gwPriority: 10 });
    expect(await defaults(c.ns)).toEqual(via(2));
    await w.agent.call("disconnect", "testnet2", "c");
    expect(await defaults(c.ns)).toEqual(via(3));
    await w.agent.call("disconnect", "testnet3", "c");
    expect(await defaults(c.ns)).toEqual(via(4));
    await w.agent.call("disconnect", "testnet4", "c");
    expect(await defaults(c.ns)).toEqual(via(1));
    await w.agent.call("close");
  });

  it("TestJoinError: an existing default route fails the connect, which is rolled back completely", async () => {
    const w = await openWorld(env());
    await w.agent.call("createNetwork", { name: "intnet", internal: true, ipam: { ipv4: { subnet: "10.31.30.0/24" } } });
    await w.agent.call("createNetwork", { name: "extnet", enableIPv6: true, ipam: { ipv4: { subnet: "10.31.31.0/24" }, ipv6: { subnet: "fd00:31:31::/64" } }, options: { "com.docker.network.bridge.name": "br-ext" } });
    const c = await w.sandbox("c");
    await w.agent.call("connect", "intnet", "c", {});
    await c.ns.exec(["ip", "route", "add", "default", "dev", "eth0"]);
    const ctrBefore = await linkState(c.ns);
    const hostBefore = await linkState(w.host, { ignoreCarrier: true });
    const nftBefore = await w.host.nftJson(["list", "table", "inet", "netd"]);
    const err = await w.agent.call("connect", "extnet", "c", {}).then(
      () => null,
      (e: unknown) => e as { message: string; code?: string },
    );
    expect(err?.code).toBe("ROUTE_EXISTS");
    expect(err?.message).toMatch(/failed to connect sandbox 'c' to network 'extnet'/);
    expect(await linkState(c.ns)).toEqual(ctrBefore);
    expect(await linkState(w.host, { ignoreCarrier: true })).toEqual(hostBefore);
    expect(await w.host.nftJson(["list", "table", "inet", "netd"])).toEqual(nftBefore);
    const eps = await w.agent.call<Array<{ networkId: string }>>("endpoints", { sandboxId: c.id });
    expect(eps).toHaveLength(1);
    // After the route is removed the same connect works and installs the default route.
    await c.ns.exec(["ip", "route", "del", "default", "dev", "eth0"]);
    await w.agent.call("connect", "extnet", "c", {});
    expect(await defaults(c.ns)).toEqual({ v4: ["10.31.31.1 eth1"], v6: ["fd00:31:31::1 eth1"] });
    await w.agent.call("close");
  });
});
