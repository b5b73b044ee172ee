import { createFakeKernel } from "@netd/kernel-fake";
import { describe, expect, it } from "vitest";
import { context, network } from "../test/support/context.js";
import { createRoutedDriver } from "./driver.js";
import { checkRoutedOptions, REFUSED_OPTIONS, ROUTED_NETWORK_OPTIONS } from "./options.js";

const error = (fn: () => unknown): { code: string; message: string; hint: string } => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string; hint: string };
  }
  throw new Error("expected an error");
};

describe("routed options", () => {
  it("accepts no options and every bridge option that makes sense without NAT", () => {
    expect(() => checkRoutedOptions({ name: "r", options: {} })).not.toThrow();
    expect([...ROUTED_NETWORK_OPTIONS].sort()).toEqual([
      "com.docker.network.bridge.enable_icc",
      "com.docker.network.bridge.inhibit_ipv4",
      "com.docker.network.bridge.name",
      "com.docker.network.container_iface_prefix",
      "com.docker.network.driver.mtu",
      "com.netd.dns",
    ]);
    expect(() => checkRoutedOptions({ name: "r", options: Object.fromEntries(ROUTED_NETWORK_OPTIONS.map((k) => [k, "x"])) })).not.toThrow();
  });

  it.each(Object.keys(REFUSED_OPTIONS))("refuses %s, naming it", (key) => {
    const e = error(() => checkRoutedOptions({ name: "r", options: { [key]: "routed" } }));
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.message).toContain(key);
    expect(e.message).toContain("network 'r'");
    expect(e.hint).toContain(`remove ${key}`);
  });

  it("refuses an unknown key, naming it and listing the valid ones", () => {
    const e = error(() => checkRoutedOptions({ name: "r", options: { "com.docker.network.bridge.enable_icc": "true", "no.such": "1" } }));
    expect(e.code).toBe("UNKNOWN_OPTION");
    expect(e.message).toContain("'no.such'");
    expect(e.hint).toContain("com.docker.network.bridge.enable_icc");
  });

  it("a refused, unknown or badly valued option creates nothing in the kernel", async () => {
    const kernel = createFakeKernel();
    const d = createRoutedDriver();
    const ctx = context(kernel, []);
    const before = kernel.snapshot();
    const cases: Array<Record<string, string>> = [{ "com.docker.network.bridge.gateway_mode_ipv6": "nat" }, { typo: "1" }, { "com.docker.network.bridge.enable_icc": "maybe" }];
    for (const options of cases) {
      await expect(d.createNetwork(ctx, network(1, { options }))).rejects.toMatchObject({ category: "invalid" });
    }
    expect(kernel.snapshot()).toEqual(before);
    expect(kernel.calls.filter((c) => !/\.(get|list|exists|listTable)$/.test(c.method))).toEqual([]);
  });

  it("the bridge's forceMode refuses a gateway mode even without the routed check", async () => {
    const { createBridgeDriver } = await import("@netd/driver-bridge");
    const kernel = createFakeKernel();
    const d = createBridgeDriver({ name: "routed", table: "netd_routed", forceMode: "routed" });
    await expect(d.createNetwork(context(kernel, []), network(1, { options: { "com.docker.network.bridge.gateway_mode_ipv4": "nat" } }))).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("com.docker.network.bridge.gateway_mode_ipv4=nat is not accepted by the routed driver") as unknown,
    });
  });
});
