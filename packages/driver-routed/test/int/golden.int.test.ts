// Golden nft dumps of routed networks: the state is built through the real stack (routed
// driver in the agent, real kernel) and `nft list table inet netd_routed` is compared with
// the listing of the golden file loaded by `nft -f` into a fresh namespace (never the
// rendered text: nftables-layout.md §7 L16). UPDATE_GOLDEN=1 rewrites the files from the
// kernel's listing; review the diff before committing.
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { must, openWorld, tcp, udp } from "../support/world.js";

/** The listing with counters zeroed and each element list sorted. */
async function listing(ns: TestNetns): Promise<string> {
  const text = (await must(ns, ["nft", "list", "table", "inet", "netd_routed"])).replace(/counter packets \d+ bytes \d+/g, "counter packets 0 bytes 0");
  return text.replace(/elements = \{([^}]*)\}/g, (_m, body: string) => {
    const items = body.split(",").map((s) => s.trim()).filter(Boolean).sort();
    return `elements = { ${items.join(", ")} }`;
  });
}

describe("routed golden nft dumps", () => {
  const env = useTestEnv("routed-golden");

  it.each([
    ["routed-two-networks-proxyon", true],
    ["routed-two-networks-proxyoff", false],
  ] as const)("%s: the kernel's listing equals the golden file's", async (name, userlandProxy) => {
    const w = await openWorld(env(), { userlandProxy });
    // g1: icc on, endpoints a and b; g2: icc off, endpoint b (the gateway). Both dual-stack.
    await w.network("g1", 20, "routed", { "com.docker.network.bridge.name": "br-rg1" });
    await w.network("g2", 21, "routed", { "com.docker.network.bridge.name": "br-rg2", "com.docker.network.bridge.enable_icc": "false" });
    await w.sandbox("a", [tcp(80), udp(53)]);
    await w.sandbox("b", [tcp(80, 8080, "198.51.100.1")]);
    await w.connect("g1", "a");
    await w.connect("g2", "b");
    await w.connect("g1", "b", { gwPriority: -1 });
    const file = fileURLToPath(new URL(`../golden/${name}.nft`, import.meta.url));
    if (process.env.UPDATE_GOLDEN === "1") {
      writeFileSync(file, `table inet netd_routed\ndelete table inet netd_routed\n${await listing(w.host)}`);
    }
    expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
    const loaded = await env().netns("golden");
    await must(loaded, ["nft", "-f", file]);
    expect(await listing(w.host)).toBe(await listing(loaded));
    await w.close();
  });
});
