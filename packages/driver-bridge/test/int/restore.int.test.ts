/**
 * A daemon restart (the agent's `restart`: the stack is closed, kernel state stays, and it is
 * opened again on the same store): the driver's restore rebuilds its state, re-applies a
 * vanished nft table identically, keeps default routes and published ports, and new joins work.
 */
import { useTestEnv, type TestNetns } from "@netd/testing";
import { describe, expect, it } from "vitest";
import { openWorld } from "../support/world.js";

async function listing(ns: TestNetns): Promise<string> {
  const r = await ns.exec(["nft", "list", "table", "inet", "netd"]);
  return r.stdout.replace(/counter packets \d+ bytes \d+/g, "counter").replace(/elements = \{([^}]*)\}/g, (_m, b: string) => b.split(",").map((x) => x.trim()).sort().join(", "));
}

describe("bridge driver restore", () => {
  const env = useTestEnv("bridge-restore");

  it("rebuilds state after a restart: the vanished table comes back identical, routes and a published port stay", async () => {
    const w = await openWorld(env());
    await w.agent.call("createNetwork", { name: "r", enableIPv6: true, ipam: { ipv4: { subnet: "10.31.50.0/24" }, ipv6: { subnet: "fd00:31:50::/64" } } });
    const c1 = await w.sandbox("c1", { portBindings: [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 40080, hostPortEnd: 40080 }] });
    const e1 = await w.agent.call<{ id: string; ipv4: string }>("connect", "r", "c1", {});
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80 });
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "10.31.50.1", port: 40080, payload: "before" })).toBe("echo:before");
    const tableBefore = await listing(w.host);
    const routesBefore = await c1.ns.ipJson(["route", "show", "default"]);
    const bindingsBefore = await w.agent.call("endpointInfo", e1.id);
    expect(tableBefore).toContain("tcp . 40080");

    await w.hostRun(["nft", "delete", "table", "inet", "netd"]);
    await w.agent.call("restart");

    expect(await listing(w.host)).toBe(tableBefore);
    expect(await c1.ns.ipJson(["route", "show", "default"])).toEqual(routesBefore);
    expect(await w.agent.call("endpointInfo", e1.id)).toEqual(bindingsBefore);
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "10.31.50.1", port: 40080, payload: "after" })).toBe("echo:after");
    // New work after the restart: another container joins and talks to the first one.
    const c2 = await w.sandbox("c2");
    await w.agent.call("connect", "r", "c2", {});
    expect(await env().sendAndReceive(c2.ns, { proto: "tcp", address: e1.ipv4.split("/")[0]!, port: 80, payload: "icc" })).toBe("echo:icc");
    await w.agent.call("disconnect", "r", "c2");
    await w.agent.call("deleteSandbox", "c1");
    await w.agent.call("deleteNetwork", "r");
    expect(await w.host.nftJson(["list", "table", "inet", "netd"])).toBeNull();
    await w.agent.call("close");
  });
});
