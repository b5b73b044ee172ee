/**
 * The firewall against the real kernel: every golden file's state is built through the
 * firewall's own calls (full replaces and element transactions) and the kernel's listing is
 * compared with the listing of the golden file loaded by `nft -f` (nftables-layout.md §7 L16:
 * compare listings, never rendered text). Also prints replaceTable/updateElements timings.
 */
import { fileURLToPath } from "node:url";
import { createLinuxKernel } from "@netd/kernel";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { describe, expect, it } from "vitest";
import { createBridgeFirewall } from "../../src/firewall/firewall.js";
import type { EndpointPorts } from "../../src/model.js";
import { endpoint, GOLDEN_CASES, network } from "../golden/cases.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** `nft list table inet netd` with counters zeroed and each element list sorted. */
async function listing(ns: TestNetns): Promise<string> {
  const r = await ns.exec(["nft", "list", "table", "inet", "netd"]);
  if (r.code !== 0) throw new Error(`nft list in ${ns.name}: ${r.stderr}`);
  const text = r.stdout.replace(/counter packets \d+ bytes \d+/g, "counter");
  return text.replace(/elements = \{([^}]*)\}/g, (_m, body: string) => {
    const items = body.split(",").map((s) => s.trim()).filter(Boolean).sort();
    return `elements = { ${items.join(", ")} }`;
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("bridge firewall in the kernel", () => {
  const env = useTestEnv("bridge-firewall");

  it("the kernel's listing after applying each golden case equals the listing of the golden file", async () => {
    const applied = await env().netns("applied");
    const loaded = await env().netns("golden");
    const kernel = createLinuxKernel();
    try {
      for (const c of GOLDEN_CASES) {
        const fw = createBridgeFirewall({ kernel, netns: applied.path, table: "netd", userlandProxy: c.userlandProxy, log: silent });
        for (const n of c.networks) await fw.addNetwork(n);
        for (const { network: id, endpoint: ep } of c.endpoints) await fw.addEndpoint(c.networks.find((n) => n.id === id)!, ep);
        for (const { endpoint: id, ports } of c.ports) await fw.setEndpointPorts(id, ports);
        const file = fileURLToPath(new URL(`../golden/${c.name}.nft`, import.meta.url));
        const load = await loaded.exec(["nft", "-f", file]);
        expect(load.code, `${c.name}: ${load.stderr}`).toBe(0);
        expect(await listing(applied), c.name).toBe(await listing(loaded));
        // Self-repair: its own table needs nothing; after someone flushes the ruleset it is
        // re-applied, equal to the golden file again.
        expect(await fw.verify(), c.name).toEqual([]);
        expect((await applied.exec(["nft", "flush", "ruleset"])).code).toBe(0);
        expect(await fw.verify(), c.name).toEqual(["table inet netd is missing"]);
        expect(await listing(applied), `${c.name} after repair`).toBe(await listing(loaded));
        expect(await fw.verify(), c.name).toEqual([]);
        for (const n of c.networks) await fw.removeNetwork(n);
        expect((await applied.exec(["nft", "list", "table", "inet", "netd"])).code, `${c.name}: table removed with the last network`).not.toBe(0);
      }
    } finally {
      await kernel.close();
    }
  }, 240_000);

  it("measures a full replace with 1 and 100 networks and one endpoint's port transaction (printed, not asserted)", async () => {
    const ns = await env().netns("bench");
    const kernel = createLinuxKernel();
    try {
      const fw = createBridgeFirewall({ kernel, netns: ns.path, table: "netd", userlandProxy: true, log: silent });
      const results: string[] = [];
      const nets = Array.from({ length: 100 }, (_, i) => network({ id: `n${i}`, n: i + 100, bridgeName: `br-b${i}`, subnet4: `10.31.${i}.0/24`, subnet6: `fd00:31:${i}::/64`, gateway4: `10.31.${i}.1`, gateway6: `fd00:31:${i}::1` }));
      for (const [count, upto] of [[1, 1], [100, 100]] as const) {
        for (const n of nets.slice(fw.networks().length, upto)) {
          await fw.addNetwork(n);
          await fw.addEndpoint(n, endpoint(n, 2, `e${n.id}000000`));
        }
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t = performance.now();
          await fw.reconcile();
          times.push(performance.now() - t);
        }
        results.push(`replaceTable, ${count} network(s): median ${median(times).toFixed(2)} ms (min ${Math.min(...times).toFixed(2)}, max ${Math.max(...times).toFixed(2)})`);
      }
      const n0 = nets[0]!;
      const ep = endpoint(n0, 2, `e${n0.id}000000`);
      const ports: EndpointPorts = {
        mappings: [
          { family: 4, protocol: "tcp", hostIp: null, hostPort: 8080, containerIp: ep.ipv4!, containerPort: 80 },
          { family: 6, protocol: "tcp", hostIp: null, hostPort: 8080, containerIp: ep.ipv6!, containerPort: 80 },
        ],
        openings: [
          { family: 4, protocol: "tcp", containerIp: ep.ipv4!, containerPort: 80 },
          { family: 6, protocol: "tcp", containerIp: ep.ipv6!, containerPort: 80 },
        ],
      };
      const add: number[] = [];
      const del: number[] = [];
      for (let i = 0; i < 30; i++) {
        let t = performance.now();
        await fw.setEndpointPorts(ep.id, ports);
        add.push(performance.now() - t);
        t = performance.now();
        await fw.setEndpointPorts(ep.id, { mappings: [], openings: [] });
        del.push(performance.now() - t);
      }
      results.push(`updateElements (dual-stack port: 4 elements) with 100 networks: add median ${median(add).toFixed(2)} ms, delete median ${median(del).toFixed(2)} ms`);
      const join: number[] = [];
      for (let i = 0; i < 30; i++) {
        const e = endpoint(n0, 200, `j${i}00000000`);
        const t = performance.now();
        await fw.addEndpoint(n0, e);
        join.push(performance.now() - t);
        await fw.removeEndpoint(n0, e);
      }
      results.push(`updateElements (endpoint guards: 2 elements) with 100 networks: median ${median(join).toFixed(2)} ms`);
      console.log(results.join("\n"));
      const listed = await ns.exec(["nft", "list", "map", "inet", "netd", "bridge_fwd_to"]);
      expect(listed.stdout.match(/jump fwd_to__br-b/g)).toHaveLength(100);
      for (const n of nets) await fw.removeNetwork(n);
    } finally {
      await kernel.close();
    }
  });
});
