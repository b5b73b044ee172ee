import { describe, expect, it } from "vitest";
import { quickstart } from "../examples/quickstart.js";

describe("examples", () => {
  it("the README quick start runs: address from IPAM, default route from the gateway event", async () => {
    const { address, routes } = await quickstart();
    expect(address).toBe("10.10.0.2/24");
    expect(routes.some((r) => /^default dev dm-[0-9a-f]{6}$/.test(r))).toBe(true);
  });
});
