import { describe, expect, it } from "vitest";
import { nft, nftAddr, nftJoin, nftPrefix, nftQuoted } from "./nft-text.js";

describe("nft tagged template", () => {
  it("renders identifiers, numbers, typed values and sets", () => {
    const t = nft`add element inet netd ports { ${8080} : ${nftAddr("10.0.0.2")} . ${80} } ${[nftPrefix("fd00::/64"), nftAddr("::1")]}`;
    expect(t.text).toBe("add element inet netd ports { 8080 : 10.0.0.2 . 80 } { fd00::/64, ::1 }");
  });

  it("refuses strings that could change the command", () => {
    expect(() => nft`iifname ${"eth0; flush ruleset"}`).toThrow(/not a safe identifier/);
    expect(() => nftQuoted('br"0')).toThrow(/cannot be a quoted/);
    expect(nftQuoted("br-1a2b").text).toBe('"br-1a2b"');
  });

  it("validates addresses and prefixes", () => {
    expect(() => nftAddr("10.0.0.256")).toThrow();
    expect(() => nftAddr("fe80::1%eth0")).toThrow();
    expect(nftAddr("2001:db8::ffff:10.0.0.1").text).toBe("2001:db8::ffff:10.0.0.1");
    expect(() => nftPrefix("10.0.0.0/33")).toThrow();
    expect(() => nftPrefix("10.0.0.0")).toThrow();
    expect(() => nft`${-1}`).toThrow();
    expect(() => nftJoin([], "; drop")).toThrow();
  });
});
