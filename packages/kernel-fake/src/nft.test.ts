import { nft, nftAddr, nftJoin } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { createFakeKernel } from "./index.js";
import { parseTableBody } from "./nft-parse.js";
import { expectCode } from "./test-helpers.js";

const HOST = "/proc/self/ns/net";
const T = { family: "inet", name: "netd" } as const;

const BODY = nft`
  # ports published by netd; "quoted { braces }" must not confuse the parser
  set published { type inet_service; elements = { 80, 443 } }
  map dnat4 {
    type inet_service : ipv4_addr . inet_service
    elements = { 8080 : 10.0.0.2 . 80,
                 8443 : 10.0.0.2 . 443 }
  }
  chain prerouting { type nat hook prerouting priority dstnat; comment "set fake {"; }
`;

describe("fake kernel: nft body parsing", () => {
  it("finds top-level sets and maps with their inline elements, ignoring strings and comments", () => {
    const sets = parseTableBody(BODY.text, "inet netd");
    expect([...sets.keys()]).toEqual(["published", "dnat4"]);
    expect(sets.get("published")).toEqual({ kind: "set", elements: ["80", "443"] });
    expect(sets.get("dnat4")).toEqual({ kind: "map", elements: ["8080 : 10.0.0.2 . 80", "8443 : 10.0.0.2 . 443"] });
  });

  it("rejects unbalanced braces and duplicate declarations", () => {
    expect(() => parseTableBody("chain x { ", "t")).toThrow(/unclosed/);
    expect(() => parseTableBody("chain x { } }", "t")).toThrow(/unbalanced/);
    expect(() => parseTableBody("set a { type ipv4_addr; } set a { type ipv4_addr; }", "t")).toThrow(/twice/);
  });
});

describe("fake kernel: nft tables", () => {
  it("lists chains with one rule entry per rule statement, and bumps the generation on every change", async () => {
    const k = createFakeKernel();
    const g0 = await k.nft.generation!(HOST);
    await k.nft.replaceTable(HOST, T, nft`set s { type inet_service; }\nchain c {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\tct state established accept\n\t\tcounter drop\n\t}`);
    const g1 = await k.nft.generation!(HOST);
    expect(g1).not.toBe(g0);
    const listed = (await k.nft.listTable(HOST, T)) as { nftables: Array<Record<string, { chain?: string; name?: string }>> };
    expect(listed.nftables.filter((i) => i.rule).map((i) => i.rule!.chain)).toEqual(["c", "c"]);
    expect(listed.nftables.filter((i) => i.chain).map((i) => i.chain!.name)).toEqual(["c"]);
    await k.nft.updateElements(HOST, [{ op: "add", table: T, set: "s", elements: [nft`80`] }]);
    const g2 = await k.nft.generation!(HOST);
    expect(g2).not.toBe(g1);
    expect(await k.nft.generation!(HOST)).toBe(g2);
    await k.nft.deleteTable(HOST, T);
    expect(await k.nft.generation!(HOST)).not.toBe(g2);
    expect(k.calls.map((c) => c.method)).not.toContain("nft.generation");
  });

  it("replaces a table atomically and lists it; a bad body changes nothing", async () => {
    const k = createFakeKernel();
    await k.nft.replaceTable(HOST, T, BODY);
    const listed = (await k.nft.listTable(HOST, T)) as { nftables: unknown[] };
    expect(listed.nftables).toEqual([
      { table: { family: "inet", name: "netd" } },
      { set: { family: "inet", table: "netd", name: "published", elem: ["80", "443"] } },
      { map: { family: "inet", table: "netd", name: "dnat4", elem: ["8080 : 10.0.0.2 . 80", "8443 : 10.0.0.2 . 443"] } },
      { chain: { family: "inet", table: "netd", name: "prerouting" } },
    ]);
    await expectCode(k.nft.replaceTable(HOST, T, nft`chain x {`), "NFT_ERROR", "kernel");
    expect(k.snapshot().namespaces[HOST]!.nft["inet netd"]!.body).toBe(BODY.text);
    await k.nft.replaceTable(HOST, T, nft`set other { type ipv4_addr; }`);
    expect(Object.keys(k.snapshot().namespaces[HOST]!.nft["inet netd"]!.sets)).toEqual(["other"]);
  });

  it("only touches tables named netd*, and needs nft text bodies", async () => {
    const k = createFakeKernel();
    await expectCode(k.nft.replaceTable(HOST, { family: "inet", name: "filter" }, BODY), "INVALID_NFT_TABLE", "invalid");
    await expectCode(k.nft.deleteTable(HOST, { family: "ip", name: "nat" }), "INVALID_NFT_TABLE");
    await expectCode(k.nft.listTable(HOST, { family: "ip", name: "nat" }), "INVALID_NFT_TABLE");
    await expectCode(k.nft.replaceTable(HOST, { family: "bridge" as "ip", name: "netd" }, BODY), "INVALID_NFT_TABLE");
    await expectCode(k.nft.replaceTable(HOST, { family: "ip", name: "netd x" }, BODY), "INVALID_NFT_TABLE");
    await expectCode(k.nft.replaceTable(HOST, T, "set x { }" as never), "INVALID_NFT_TEXT");
    expect(k.snapshot().namespaces[HOST]!.nft).toEqual({});
  });

  it("keeps tables per namespace and family; deleteTable is idempotent", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    await k.nft.replaceTable(HOST, T, BODY);
    await k.nft.replaceTable(HOST, { family: "ip6", name: "netd" }, nft`set s { type ipv6_addr; }`);
    expect(await k.nft.listTable(c, T)).toBeNull();
    await k.nft.deleteTable(HOST, T);
    await k.nft.deleteTable(HOST, T);
    expect(await k.nft.listTable(HOST, T)).toBeNull();
    expect(Object.keys(k.snapshot().namespaces[HOST]!.nft)).toEqual(["ip6 netd"]);
  });
});

describe("fake kernel: nft elements", () => {
  it("adds and deletes elements of existing sets and maps in one transaction", async () => {
    const k = createFakeKernel();
    await k.nft.replaceTable(HOST, T, BODY);
    await k.nft.updateElements(HOST, [
      { op: "add", table: T, set: "published", elements: [nft`${8081}`, nft`80`] },
      { op: "delete", table: T, set: "published", elements: [nft`443`, nft`9999`] },
      { op: "add", table: T, set: "dnat4", elements: [nft`${8081} : ${nftAddr("10.0.0.3")} . ${81}`] },
      { op: "delete", table: T, set: "dnat4", elements: [nft`8080`] },
    ]);
    const sets = k.snapshot().namespaces[HOST]!.nft["inet netd"]!.sets;
    expect(sets.published!.elements).toEqual(["80", "8081"]);
    expect(sets.dnat4!.elements).toEqual(["8081 : 10.0.0.3 . 81", "8443 : 10.0.0.2 . 443"]);
  });

  it("refuses missing tables and sets, and remapping a map key; nothing applies on failure", async () => {
    const k = createFakeKernel();
    await expectCode(k.nft.updateElements(HOST, [{ op: "add", table: T, set: "published", elements: [nft`1`] }]), "NFT_ERROR", "kernel");
    await k.nft.replaceTable(HOST, T, BODY);
    const before = k.snapshot();
    const add = { op: "add", table: T, set: "published", elements: [nft`1`] } as const;
    await expectCode(k.nft.updateElements(HOST, [add, { op: "add", table: T, set: "nope", elements: [nft`1`] }]), "NFT_ERROR");
    await expectCode(k.nft.updateElements(HOST, [add, { op: "add", table: T, set: "dnat4", elements: [nft`8080 : 10.0.0.9 . 80`] }]), "NFT_ERROR", "kernel");
    await expectCode(k.nft.updateElements(HOST, [add, { op: "add", table: T, set: "published", elements: "1" as never }]), "INVALID_NFT_TEXT");
    await expectCode(k.nft.updateElements(HOST, [add, { op: "flush" as "add", table: T, set: "published", elements: [nft`1`] }]), "INVALID_NFT_TEXT");
    await expectCode(k.nft.updateElements(HOST, [{ op: "add", table: T, set: "published", elements: ["1" as never] }]), "INVALID_NFT_TEXT");
    expect(k.snapshot()).toEqual(before);
    // The same mapping again is a no-op, and a delete then add in one batch remaps.
    await k.nft.updateElements(HOST, [
      { op: "add", table: T, set: "dnat4", elements: [nft`8080 : 10.0.0.2 . 80`] },
      { op: "delete", table: T, set: "dnat4", elements: [nft`8080 : 10.0.0.2 . 80`] },
      { op: "add", table: T, set: "dnat4", elements: [nftJoin([nft`8080 :`, nft`10.0.0.9 . 80`], " ")] },
    ]);
    expect(k.snapshot().namespaces[HOST]!.nft["inet netd"]!.sets.dnat4!.elements).toEqual(["8080 : 10.0.0.9 . 80", "8443 : 10.0.0.2 . 443"]);
  });

  it("skips a change without elements, even for a missing set (as the Linux implementation does)", async () => {
    const k = createFakeKernel();
    await k.nft.replaceTable(HOST, T, BODY);
    const before = k.snapshot();
    await k.nft.updateElements(HOST, [{ op: "add", table: T, set: "nope", elements: [] }]);
    await k.nft.updateElements(HOST, []);
    expect(k.snapshot()).toEqual(before);
  });

  it("records nft text arguments as strings in the call log", async () => {
    const k = createFakeKernel();
    await k.nft.replaceTable(HOST, T, nft`set s { type ipv4_addr; }`);
    await k.nft.updateElements(HOST, [{ op: "add", table: T, set: "s", elements: [nft`${nftAddr("10.0.0.1")}`] }]);
    expect(k.calls.map((c) => c.args)).toEqual([
      [HOST, T, "set s { type ipv4_addr; }"],
      [HOST, [{ op: "add", table: T, set: "s", elements: ["10.0.0.1"] }]],
    ]);
  });
});
