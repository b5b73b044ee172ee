// nft.*: netd's tables only, read back with `nft -j` inside the namespace.
import { describe, expect, it, onTestFinished } from "vitest";
import { useTestEnv } from "@netd/testing";
import { nft, nftAddr, nftJoin } from "@netd/driverapi";
import { createLinuxKernel } from "../../src/index.js";
import { expectNetdError, useKernel } from "./helpers.js";

const T = { family: "inet", name: "netd" } as const;

const BODY = nft`map ports {
  type inet_service : ipv4_addr . inet_service
}
chain prerouting {
  type nat hook prerouting priority dstnat; policy accept;
  dnat ip to tcp dport map @ports
}`;

interface NftItem {
  table?: { name: string };
  chain?: { name: string };
  map?: { name: string; elem?: unknown[] };
  rule?: unknown;
}

async function items(ns: { nftJson(a: readonly string[]): Promise<unknown> }, args: string[]): Promise<NftItem[] | null> {
  const out = (await ns.nftJson(args)) as { nftables: NftItem[] } | null;
  return out === null ? null : out.nftables;
}

describe("nft", () => {
  const env = useTestEnv("kern-nft");
  const kernel = useKernel();

  it("replaceTable creates, then atomically replaces the table", async () => {
    const ns = await env().netns("n");
    const k = kernel();
    await k.nft.replaceTable(ns.path, T, BODY);
    let got = await items(ns, ["list", "table", "inet", "netd"]);
    expect(got?.filter((i) => i.chain).map((i) => i.chain!.name)).toEqual(["prerouting"]);
    expect(got?.filter((i) => i.map).map((i) => i.map!.name)).toEqual(["ports"]);
    await k.nft.replaceTable(ns.path, T, nft`chain forward {
  type filter hook forward priority filter; policy accept;
}`);
    got = await items(ns, ["list", "table", "inet", "netd"]);
    expect(got?.filter((i) => i.chain).map((i) => i.chain!.name)).toEqual(["forward"]);
    expect(got?.some((i) => i.map)).toBe(false);
    // A broken body changes nothing: the previous table stays.
    const err = await expectNetdError(k.nft.replaceTable(ns.path, T, nft`chain x { bogus }`), "NFT_ERROR", "kernel");
    expect(String(err.details["kernelMessage"])).toContain("Error");
    got = await items(ns, ["list", "table", "inet", "netd"]);
    expect(got?.filter((i) => i.chain).map((i) => i.chain!.name)).toEqual(["forward"]);
  });

  it("updateElements adds and deletes map elements in one transaction", async () => {
    const ns = await env().netns("n");
    const k = kernel();
    await k.nft.replaceTable(ns.path, T, BODY);
    await k.nft.updateElements(ns.path, [
      { op: "add", table: T, set: "ports", elements: [nft`${8080} : ${nftAddr("10.0.0.2")} . ${80}`, nft`${8443} : ${nftAddr("10.0.0.3")} . ${443}`] },
    ]);
    let map = (await items(ns, ["list", "map", "inet", "netd", "ports"]))?.find((i) => i.map)?.map;
    expect(map?.elem).toHaveLength(2);
    expect(JSON.stringify(map?.elem)).toContain('"10.0.0.2",80');
    // The failing delete (missing element) rolls back the add in the same transaction.
    await expectNetdError(
      k.nft.updateElements(ns.path, [
        { op: "add", table: T, set: "ports", elements: [nft`${9000} : ${nftAddr("10.0.0.4")} . ${90}`] },
        { op: "delete", table: T, set: "ports", elements: [nft`${1234} : ${nftAddr("10.0.0.9")} . ${1}`] },
      ]),
      "NFT_ERROR",
      "kernel",
    );
    map = (await items(ns, ["list", "map", "inet", "netd", "ports"]))?.find((i) => i.map)?.map;
    expect(JSON.stringify(map?.elem)).not.toContain("9000");
    await k.nft.updateElements(ns.path, [{ op: "delete", table: T, set: "ports", elements: [nft`${8080} : ${nftAddr("10.0.0.2")} . ${80}`] }]);
    map = (await items(ns, ["list", "map", "inet", "netd", "ports"]))?.find((i) => i.map)?.map;
    expect(map?.elem).toHaveLength(1);
  });

  it("listTable returns nft's JSON or null; deleteTable is idempotent", async () => {
    const ns = await env().netns("n");
    const k = kernel();
    expect(await k.nft.listTable(ns.path, T)).toBeNull();
    await k.nft.replaceTable(ns.path, T, BODY);
    const listed = (await k.nft.listTable(ns.path, T)) as { nftables: NftItem[] };
    const oracle = await items(ns, ["list", "table", "inet", "netd"]);
    expect(listed.nftables.filter((i) => !("metainfo" in i))).toEqual(oracle!.filter((i) => !("metainfo" in i)));
    await k.nft.deleteTable(ns.path, T);
    expect(await items(ns, ["list", "table", "inet", "netd"])).toBeNull();
    await k.nft.deleteTable(ns.path, T);
  });

  it("generation is stable while nothing changes and moves with netd's and anyone else's changes", async () => {
    const ns = await env().netns("n");
    const k = kernel();
    const g0 = await k.nft.generation!(ns.path);
    expect(Number.isInteger(g0)).toBe(true);
    expect(await k.nft.generation!(ns.path)).toBe(g0);
    await k.nft.replaceTable(ns.path, T, BODY);
    const g1 = await k.nft.generation!(ns.path);
    expect(g1).not.toBe(g0);
    expect(await k.nft.generation!(ns.path)).toBe(g1);
    expect((await ns.exec(["nft", "flush", "ruleset"])).code).toBe(0);
    expect(await k.nft.generation!(ns.path)).not.toBe(g1);
    await expectNetdError(k.nft.generation!("relative/path"), "INVALID_NETNS", "invalid");
  });

  it("foreignChanges stays put for this Kernel's commits (libnftables and the element fast path) and counts anyone else's", async () => {
    const ns = await env().netns("n");
    const k = kernel();
    const other = createLinuxKernel();
    onTestFinished(() => other.close());
    expect(await k.nft.foreignChanges!(ns.path)).toBe(0);
    await k.nft.replaceTable(ns.path, T, BODY);
    await k.nft.updateElements(ns.path, [{ op: "add", table: T, set: "ports", elements: [nft`8080 : ${nftAddr("10.0.0.2")} . 80`] }]);
    await k.nft.updateElements(ns.path, [{ op: "delete", table: T, set: "ports", elements: [nft`8080`] }]);
    expect(await k.nft.foreignChanges!(ns.path)).toBe(0);
    // Another process (the nft CLI) and another Kernel are both foreign.
    expect((await ns.exec(["nft", "add", "table", "inet", "someone"])).code).toBe(0);
    expect(await k.nft.foreignChanges!(ns.path)).toBe(1);
    expect(await k.nft.foreignChanges!(ns.path)).toBe(1);
    await other.nft.updateElements(ns.path, [{ op: "add", table: T, set: "ports", elements: [nft`8081 : ${nftAddr("10.0.0.3")} . 80`] }]);
    expect(await k.nft.foreignChanges!(ns.path)).toBe(2);
    // A foreign commit between two of ours is still seen.
    await k.nft.updateElements(ns.path, [{ op: "delete", table: T, set: "ports", elements: [nft`8081`] }]);
    expect((await ns.exec(["nft", "delete", "table", "inet", "someone"])).code).toBe(0);
    await k.nft.deleteTable(ns.path, T);
    expect(await k.nft.foreignChanges!(ns.path)).toBe(3);
  });

  it("refuses tables that are not netd's and never touches them", async () => {
    const ns = await env().netns("n");
    const k = kernel();
    await ns.exec(["nft", "add table inet other; add chain inet other c"]);
    const other = nftJoin([nft`chain c { }`]);
    for (const t of [{ family: "inet", name: "other" }, { family: "inet", name: "xnetd" }, { family: "inet", name: "netd x" }, { family: "bridge", name: "netd" }] as const) {
      await expectNetdError(k.nft.replaceTable(ns.path, t as never, other), "INVALID_NFT_TABLE", "invalid");
      await expectNetdError(k.nft.deleteTable(ns.path, t as never), "INVALID_NFT_TABLE", "invalid");
      await expectNetdError(k.nft.listTable(ns.path, t as never), "INVALID_NFT_TABLE", "invalid");
    }
    await expectNetdError(k.nft.updateElements(ns.path, [{ op: "add", table: { family: "inet", name: "other" }, set: "s", elements: [nft`${1}`] }]), "INVALID_NFT_TABLE", "invalid");
    await expectNetdError(k.nft.replaceTable(ns.path, T, { text: "flush ruleset" } as never), "INVALID_NFT_TEXT", "invalid");
    await expectNetdError(k.nft.replaceTable(`/run/netns/${env().prefix}-none`, T, BODY), "NETNS_NOT_FOUND", "not_found");
    expect((await items(ns, ["list", "table", "inet", "other"]))?.some((i) => i.chain?.name === "c")).toBe(true);
    expect(await items(ns, ["list", "table", "inet", "netd"])).toBeNull();
  });
});
