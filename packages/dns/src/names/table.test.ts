import { describe, expect, it } from "vitest";
import { NameTable, addressOfReverseName } from "./table.js";
import { checkAlias, isDnsName } from "./validate.js";

describe("NameTable", () => {
  const table = new NameTable([
    { names: ["web", "front"], ipv4: "10.1.0.2", ipv6: "fd00::2" },
    { names: ["web2", "front"], ipv4: "10.1.0.3", ipv6: null },
    { names: ["bad name!", "api"], ipv4: "10.1.0.4", ipv6: null },
  ]);

  it("maps names (any case, trailing dot) to every address, aliases shared by several endpoints to all", () => {
    expect(table.lookup("WEB.")).toEqual({ v4: ["10.1.0.2"], v6: ["fd00::2"] });
    expect(table.lookup("front")).toEqual({ v4: ["10.1.0.2", "10.1.0.3"], v6: ["fd00::2"] });
    expect(table.lookup("nope")).toBeUndefined();
  });

  it("skips names that are not DNS names; the first valid name is the reverse target", () => {
    expect(table.lookup("bad name!")).toBeUndefined();
    expect(table.nameOf("10.1.0.4")).toBe("api");
    expect(table.nameOf("fd00:0::2")).toBe("web");
    expect(table.nameOf("10.1.0.9")).toBeUndefined();
    expect(table.size).toBe(4);
  });

  it("takes addresses with a prefix length (as endpoint records keep them) and drops what is not an address", () => {
    const t = new NameTable([
      { names: ["db"], ipv4: "10.2.0.5/24", ipv6: "fd00:2::5/64" },
      { names: ["junk"], ipv4: "not-an-ip", ipv6: null },
    ]);
    expect(t.lookup("db")).toEqual({ v4: ["10.2.0.5"], v6: ["fd00:2::5"] });
    expect(t.nameOf("10.2.0.5")).toBe("db");
    expect(t.lookup("junk")).toEqual({ v4: [], v6: [] });
  });

  it("changes one entry at a time: put replaces a key, delete removes only that key's names and addresses", () => {
    const t = new NameTable();
    t.put("ep1", { names: ["web", "front"], ipv4: "10.3.0.2/24", ipv6: null });
    t.put("ep2", { names: ["api", "front"], ipv4: "10.3.0.3/24", ipv6: "fd00:3::3/64" });
    expect(t.lookup("front")).toEqual({ v4: ["10.3.0.2", "10.3.0.3"], v6: ["fd00:3::3"] });
    t.put("ep1", { names: ["web"], ipv4: "10.3.0.9/24", ipv6: null });
    expect(t.lookup("web")).toEqual({ v4: ["10.3.0.9"], v6: [] });
    expect(t.lookup("front")).toEqual({ v4: ["10.3.0.3"], v6: ["fd00:3::3"] });
    expect(t.nameOf("10.3.0.2")).toBeUndefined();
    // Two entries holding one address (a stale record and its successor): the later names it until it goes.
    t.put("ep3", { names: ["api-new"], ipv4: "10.3.0.3", ipv6: null });
    expect(t.nameOf("10.3.0.3")).toBe("api-new");
    t.delete("ep3");
    expect(t.nameOf("10.3.0.3")).toBe("api");
    t.delete("ep2");
    t.delete("ep2");
    expect([t.lookup("front"), t.lookup("api"), t.nameOf("fd00:3::3"), t.size, [...t.keys()]]).toEqual([undefined, undefined, undefined, 1, ["ep1"]]);
  });

  it("reads reverse names", () => {
    expect(addressOfReverseName("2.0.1.10.in-addr.arpa.")).toBe("10.1.0.2");
    expect(addressOfReverseName("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa")).toBe("fd00:0:0:0:0:0:0:2");
    expect(addressOfReverseName("1.10.in-addr.arpa")).toBeUndefined();
    expect(addressOfReverseName("300.0.1.10.in-addr.arpa")).toBeUndefined();
    expect(addressOfReverseName("example.com")).toBeUndefined();
  });
});

describe("alias validation", () => {
  it("accepts DNS names and refuses others with a clear error", () => {
    expect(isDnsName("web-1.svc_x")).toBe(true);
    for (const bad of ["", "-web", "web-", "a..b", "has space", "x".repeat(64), `${"a.".repeat(127)}a`]) expect(isDnsName(bad)).toBe(false);
    expect(() => checkAlias("bad alias")).toThrow(/alias "bad alias" is not a valid DNS name; use labels of 1-63/);
    expect(() => checkAlias("good")).not.toThrow();
  });
});
