// updateElements' netlink fast path against libnftables: the same changes in two namespaces,
// one through each, must leave the same `nft list table` text; what the fast path does not
// write (an interval set) and what the kernel refuses go through libnftables.
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { nft, nftAddr, nftQuoted, type NftElementChange, type Kernel } from "@netd/driverapi";
import { ElementFastPath, type ElementChangeText } from "../../src/linux/nft-elements/fast-path.js";
import { SocketCache } from "../../src/linux/socket-cache.js";
import { expectNetdError, useKernel } from "./helpers.js";

const T = { family: "inet", name: "netd" } as const;

// The bridge driver's containers (driver-bridge/src/firewall/render.ts), plus an interval set.
const BODY = nft`map bridge_fwd_to {
  type ifname : verdict
}
map guard4 {
  type ipv4_addr : verdict
}
map guard6 {
  type ipv6_addr : verdict
}
map hostport4 {
  type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
}
map hostport6 {
  type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service
}
map anyport4 {
  type inet_proto . inet_service : ipv4_addr . inet_service
}
map anyport6 {
  type inet_proto . inet_service : ipv6_addr . inet_service
}
map ports {
  type inet_service : ipv4_addr . inet_service
}
set open4 {
  type ipv4_addr . inet_proto . inet_service
}
set open6 {
  type ipv6_addr . inet_proto . inet_service
}
set ranges {
  type ipv4_addr
  flags interval
}
chain guard__br-1 {
}
chain fwd_to__br-1 {
}`;

const ADDS: NftElementChange[] = [
  { op: "add", table: T, set: "bridge_fwd_to", elements: [nft`${nftQuoted("br-1")} : jump fwd_to__br-1`] },
  { op: "add", table: T, set: "guard4", elements: [nft`${nftAddr("10.0.0.2")} : jump guard__br-1`, nft`${nftAddr("10.0.0.3")} : jump guard__br-1`] },
  { op: "add", table: T, set: "guard6", elements: [nft`${nftAddr("fd00::2")} : jump guard__br-1`, nft`${nftAddr("fd00:1:2:3:4:5:6:7")} : goto guard__br-1`] },
  { op: "add", table: T, set: "hostport4", elements: [nft`${nftAddr("127.0.0.1")} . tcp . ${8080} : ${nftAddr("10.0.0.2")} . ${80}`] },
  { op: "add", table: T, set: "hostport6", elements: [nft`${nftAddr("::1")} . udp . ${53} : ${nftAddr("fd00::2")} . ${5353}`] },
  { op: "add", table: T, set: "anyport4", elements: [nft`tcp . ${8080} : ${nftAddr("10.0.0.2")} . ${80}`, nft`sctp . ${9} : ${nftAddr("10.0.0.3")} . ${65535}`] },
  { op: "add", table: T, set: "anyport6", elements: [nft`tcp . ${8080} : ${nftAddr("fd00::2")} . ${80}`] },
  { op: "add", table: T, set: "ports", elements: [nft`${443} : ${nftAddr("10.0.0.2")} . ${8443}`] },
  { op: "add", table: T, set: "open4", elements: [nft`${nftAddr("10.0.0.2")} . tcp . ${80}`] },
  { op: "add", table: T, set: "open6", elements: [nft`${nftAddr("fd00::2")} . udp . ${5353}`] },
];

const DELETES: NftElementChange[] = [
  { op: "delete", table: T, set: "guard4", elements: [nft`${nftAddr("10.0.0.3")} : jump guard__br-1`] },
  { op: "delete", table: T, set: "anyport4", elements: [nft`tcp . ${8080} : ${nftAddr("10.0.0.2")} . ${80}`] },
  { op: "delete", table: T, set: "open6", elements: [nft`${nftAddr("fd00::2")} . udp . ${5353}`] },
  { op: "add", table: T, set: "open4", elements: [nft`${nftAddr("10.0.0.9")} . udp . ${1}`] },
];

async function listing(ns: TestNetns): Promise<string> {
  const r = await ns.exec(["nft", "list", "table", "inet", "netd"]);
  expect(r.code).toBe(0);
  return r.stdout;
}

async function viaLibnftables<T>(fn: () => Promise<T>): Promise<T> {
  process.env["NETD_NFT_FAST_ELEMENTS"] = "0";
  try {
    return await fn();
  } finally {
    delete process.env["NETD_NFT_FAST_ELEMENTS"];
  }
}

describe("nft element fast path", () => {
  const env = useTestEnv("kern-nfe");
  const kernel = useKernel();
  afterEach(() => {
    delete process.env["NETD_NFT_FAST_ELEMENTS"];
  });

  async function pair(k: Kernel): Promise<[TestNetns, TestNetns]> {
    const a = await env().netns("fast");
    const b = await env().netns("slow");
    await k.nft.replaceTable(a.path, T, BODY);
    await k.nft.replaceTable(b.path, T, BODY);
    return [a, b];
  }

  const texts = (changes: readonly NftElementChange[]): ElementChangeText[] => changes.map((c) => ({ ...c, elements: c.elements.map((e) => e.text) }));

  it("writes every element type exactly as libnftables does, one generation per call", async () => {
    const k = kernel();
    const [fast, slow] = await pair(k);
    // The fast path itself must take these (a silent fallback would pass the comparison).
    const sockets = new SocketCache();
    try {
      const direct = new ElementFastPath(sockets);
      const g0 = await k.nft.generation!(fast.path);
      expect(await direct.apply(fast.path, texts(ADDS))).toBe(true);
      expect(await k.nft.generation!(fast.path)).toBe(g0 + 1);
      expect(await direct.apply(fast.path, texts([{ op: "add", table: T, set: "ranges", elements: [nft`${nftAddr("10.1.0.0")}/16`] }]))).toBe(false);
      await viaLibnftables(() => k.nft.updateElements(slow.path, ADDS));
      const added = await listing(fast);
      expect(added).toBe(await listing(slow));
      expect(added).toContain('"br-1" : jump fwd_to__br-1');
      expect(added).toContain("127.0.0.1 . tcp . 8080 : 10.0.0.2 . 80");
      expect(added).toContain("fd00:1:2:3:4:5:6:7 : goto guard__br-1");
      expect(added).toContain("sctp . 9 : 10.0.0.3 . 65535");

      expect(await direct.apply(fast.path, texts(DELETES))).toBe(true);
      await viaLibnftables(() => k.nft.updateElements(slow.path, DELETES));
      const after = await listing(fast);
      expect(after).toBe(await listing(slow));
      expect(after).not.toContain("10.0.0.3 : jump");
      expect(after).toContain("10.0.0.9 . udp . 1");
      // Through the Kernel (fast path first) as well.
      await k.nft.updateElements(fast.path, [{ op: "delete", table: T, set: "open4", elements: [nft`${nftAddr("10.0.0.9")} . udp . ${1}`] }]);
      expect(await listing(fast)).not.toContain("10.0.0.9 . udp . 1");
    } finally {
      await sockets.close();
    }
  });

  it("a refused batch changes nothing and fails with libnftables' error; a replaced table is read again", async () => {
    const k = kernel();
    const [fast] = await pair(k);
    await k.nft.updateElements(fast.path, ADDS);
    const before = await listing(fast);
    const err = await expectNetdError(
      k.nft.updateElements(fast.path, [
        { op: "add", table: T, set: "open4", elements: [nft`${nftAddr("10.9.9.9")} . tcp . ${1}`] },
        { op: "delete", table: T, set: "guard4", elements: [nft`${nftAddr("10.9.9.8")} : jump guard__br-1`] },
      ]),
      "NFT_ERROR",
      "kernel",
    );
    expect(String(err.details["kernelMessage"])).toContain("Error");
    expect(await listing(fast)).toBe(before);
    // The set's type changes under the same name: the cached shape must not be used.
    await k.nft.replaceTable(fast.path, T, nft`map guard4 {
  type inet_service : verdict
}
chain guard__br-1 {
}`);
    await k.nft.updateElements(fast.path, [{ op: "add", table: T, set: "guard4", elements: [nft`${8080} : jump guard__br-1`] }]);
    expect(await listing(fast)).toContain("8080 : jump guard__br-1");
  });

  it("leaves interval sets and texts it does not parse to libnftables", async () => {
    const k = kernel();
    const [fast, slow] = await pair(k);
    const changes: NftElementChange[] = [
      { op: "add", table: T, set: "ranges", elements: [nft`${nftAddr("10.1.0.0")}/16`, nft`${nftAddr("10.2.0.1")}-${nftAddr("10.2.0.9")}`] },
      { op: "add", table: T, set: "guard4", elements: [nft`${nftAddr("10.0.0.5")} : accept`] },
      { op: "add", table: T, set: "open4", elements: [nft`${nftAddr("10.0.0.5")} . 6 . ${22}`] },
    ];
    await k.nft.updateElements(fast.path, changes);
    await viaLibnftables(() => k.nft.updateElements(slow.path, changes));
    const got = await listing(fast);
    expect(got).toBe(await listing(slow));
    expect(got).toContain("10.1.0.0/16");
    expect(got).toContain("10.0.0.5 : accept");
    await expectNetdError(k.nft.updateElements(fast.path, [{ op: "add", table: T, set: "missing", elements: [nft`${1}`] }]), "NFT_ERROR", "kernel");
  });
});
