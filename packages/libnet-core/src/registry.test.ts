import { describe, expect, it } from "vitest";
import { API_VERSION } from "@netd/driverapi";
import type { Driver } from "@netd/driverapi";
import { DriverRegistry } from "./registry.js";

const base = (): Driver => ({
  name: "good",
  apiVersion: API_VERSION,
  capabilities: { scope: "local", needsGatewayAddress: true, publishesPorts: false, supportsIPv4: true, supportsIPv6: true },
  createNetwork: () => Promise.resolve(),
  deleteNetwork: () => Promise.resolve(),
  join: () => Promise.resolve({ interfaceName: "eth0", gateway4: null, gateway6: null }),
  leave: () => Promise.resolve(),
});

describe("DriverRegistry", () => {
  it("registers a conforming driver and names the registered ones for an unknown name", () => {
    const r = new DriverRegistry();
    r.register(base());
    expect(r.get("good").name).toBe("good");
    expect(() => r.get("bridge")).toThrow("unknown driver 'bridge'; use one of: good");
    expect(() => r.register(base())).toThrow(/already registered/);
  });

  it("refuses another API version, a bad name, missing or stubbed hooks", () => {
    const r = new DriverRegistry();
    expect(() => r.register({ ...base(), apiVersion: 99 })).toThrow(/built for driver API 99, netd speaks 2; rebuild the driver against @netd\/driverapi 2.x/);
    expect(() => r.register({ ...base(), apiVersion: 1 })).toThrow(/built for driver API 1, netd speaks 2/);
    expect(() => r.register({ ...base(), name: "Bad Name" })).toThrow(/driver name "Bad Name" is invalid/);
    expect(() => r.register({ ...base(), join: undefined } as unknown as Driver)).toThrow(/lacks the required hook join\(\)/);
    expect(() => r.register({ ...base(), onGatewayChange: 5 } as unknown as Driver)).toThrow(/onGatewayChange that is not a function/);
    expect(() => r.register({ ...base(), cleanup: null } as unknown as Driver)).toThrow(/cleanup that is not a function/);
    expect(() => r.register({ ...base(), capabilities: { ...base().capabilities, publishesPorts: "yes" } } as unknown as Driver)).toThrow(/capability publishesPorts as "yes"/);
    expect(r.names()).toEqual([]);
  });
});
