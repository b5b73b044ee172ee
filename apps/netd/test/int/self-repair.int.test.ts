// T1 self-repair: after `nft flush ruleset` or `nft delete table inet netd` in the daemon's
// namespace, netd re-creates its table from its state within about a second, touches no other
// table, reports it on /events and /metrics, and published ports carry traffic from another
// namespace again. The userland proxy is off, so the published port works only through nft.
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, echoServerArgv, makeNetdWorld, sleep, waitFor } from "../support/netd-world.js";
import type { NetdWorld } from "../support/netd-world.js";

const FOREIGN = "table inet other {\n chain c {\n  type filter hook input priority 10; policy accept;\n  tcp dport 9 counter accept\n }\n}\n";

describe("self-repair of netd's nft table", () => {
  const env = useTestEnv("netd-repair");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it("repairs a flushed ruleset and a deleted table within a second; ports work again; no other table touched", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start(["--userland-proxy=false"]);
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.236.0.0/24", "--subnet", "fd00:236::/64", "front"]);
    const run = await w.spawnCli(["run", "--name", "web", "--network", "front", "-p", "8080:80", "--", ...echoServerArgv("web")]);
    await w.adoptSandbox("web");
    await waitFor("the server", () => run.output().includes("listening"), () => run.output());
    const reach = async (tag: string) => {
      expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8080, payload: `${tag}4` })).toBe(`web:${tag}4`);
      expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8080, payload: `${tag}6` })).toBe(`web:${tag}6`);
    };
    await reach("before");
    const good = await w.host.nftJson(["list", "table", "inet", "netd"]);
    const t0 = Math.floor(Date.now() / 1000);
    const figures: string[] = [];

    for (const [what, argv] of [
      ["nft flush ruleset", ["nft", "flush", "ruleset"]],
      ["nft delete table inet netd", ["nft", "delete", "table", "inet", "netd"]],
    ] as const) {
      // Someone else's table: it must come through untouched (or stay gone after a flush).
      const add = await w.host.exec(["nft", "-f", "-"], { input: FOREIGN });
      expect(add.code, add.stderr).toBe(0);
      const foreign = await w.host.nftJson(["list", "table", "inet", "other"]);
      const cut = await w.host.exec([...argv]);
      expect(cut.code, cut.stderr).toBe(0);
      const cutAt = Date.now();
      await waitFor(`netd to re-create its table after ${what}`, async () => (await w.host.nftJson(["list", "table", "inet", "netd"])) !== null, () => w.daemon!.output(), 10_000, 10);
      const repairedMs = Date.now() - cutAt;
      figures.push(`${what}: table back after ${repairedMs} ms `);
      expect(repairedMs, figures.join("; ")).toBeLessThan(1500);
      expect(stripHandles(await w.host.nftJson(["list", "table", "inet", "netd"]))).toEqual(stripHandles(good));
      if (what === "nft flush ruleset") expect(await w.host.nftJson(["list", "table", "inet", "other"])).toBeNull();
      else expect(await w.host.nftJson(["list", "table", "inet", "other"])).toEqual(foreign);
      await reach(what.replace(/\W/g, ""));
      await w.host.exec(["nft", "delete", "table", "inet", "other"]);
    }
    console.log(`self-repair: ${figures.join("; ")}`);

    const ev = await w.http("GET", `/events?since=${t0}&until=${Math.ceil(Date.now() / 1000)}&filters=${encodeURIComponent('{"type":["daemon"]}')}`);
    const repairs = ev.text.trim().split("\n").map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { Attributes: Record<string, string> } });
    expect(repairs.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.driver}`)).toEqual(["daemon repair bridge", "daemon repair bridge"]);
    const metrics = await w.http("GET", "/metrics");
    expect(metrics.text).toMatch(/netd_self_repairs_total\{driver="bridge"\} 2/);

    // Nothing to repair: no further repairs while the table is left alone.
    await sleep(1000);
    expect((await w.http("GET", "/metrics")).text).toMatch(/netd_self_repairs_total\{driver="bridge"\} 2/);
    await run.stop();
    await w.ok(["sandbox", "rm", "web"]);
    await w.ok(["network", "rm", "front"]);
  });
});

/** nft's listing without handles and metainfo, which change when a table is re-created. */
function stripHandles(listing: unknown): unknown {
  return JSON.parse(JSON.stringify(listing, (k, v: unknown) => (k === "handle" ? undefined : v)), (_k, v: unknown) => v) as unknown;
}
