import { describe, expect, it } from "vitest";
import { canonicalIp, familyOf, withoutPrefix } from "./address.js";

describe("canonicalIp", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::ffff:7f00:2", "127.0.0.2"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["FD00:32:1:0:0:0:0:2", "fd00:32:1::2"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8::", "2001:db8::"],
    ["::10.0.0.1", "::a00:1"],
  ])("%s → %s", (input, out) => {
    expect(canonicalIp(input)).toBe(out);
  });
  it("refuses non-addresses", () => {
    expect(canonicalIp("localhost")).toBeNull();
    expect(canonicalIp("1.2.3")).toBeNull();
  });
  it("families and prefixes", () => {
    expect(familyOf("::")).toBe(6);
    expect(familyOf("0.0.0.0")).toBe(4);
    expect(withoutPrefix("10.32.1.2/24")).toBe("10.32.1.2");
    expect(withoutPrefix("fd00::2")).toBe("fd00::2");
  });
});
