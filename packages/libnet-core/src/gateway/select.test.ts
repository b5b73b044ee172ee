import { describe, expect, it } from "vitest";
import type { GatewayCandidate } from "./select.js";
import { gatewayFamilies, selectGateways, sortCandidates } from "./select.js";

const ep = (endpointId: string, o: Partial<GatewayCandidate> = {}): GatewayCandidate => ({
  endpointId,
  networkName: o.networkName ?? endpointId,
  internal: false,
  gwPriority: 0,
  hasGw4: true,
  hasGw6: true,
  ...o,
});
const order = (cs: GatewayCandidate[]) => sortCandidates(cs).map((c) => c.endpointId);

describe("gateway selection (reference §3)", () => {
  it("TestSandboxAddMultiPrio: higher gw-priority first, re-sorted as endpoints come and go", () => {
    const e1 = ep("ep1", { gwPriority: 1 });
    const e2 = ep("ep2", { gwPriority: 2 });
    const e3 = ep("ep3", { gwPriority: 3 });
    expect(order([e1, e2, e3])).toEqual(["ep3", "ep2", "ep1"]);
    expect(selectGateways([e1, e2, e3])).toEqual({ gw4: "ep3", gw6: "ep3" });
    // ep3 leaves: ep2 takes over; ep3 comes back: it is first again.
    expect(selectGateways([e1, e2])).toEqual({ gw4: "ep2", gw6: "ep2" });
    expect(selectGateways([e2, e1, e3])).toEqual({ gw4: "ep3", gw6: "ep3" });
    // A negative priority sorts after the default 0.
    expect(order([ep("neg", { gwPriority: -100 }), ep("zero")])).toEqual(["zero", "neg"]);
  });

  it("TestSandboxAddSamePrio: IPv6-capable first, then by name, internal last", () => {
    const cs = [
      ep("i", { networkName: "a-internal", internal: true }),
      ep("v4b", { networkName: "b", hasGw6: false }),
      ep("ds-d", { networkName: "d" }),
      ep("v4a", { networkName: "a", hasGw6: false }),
      ep("ds-c", { networkName: "c" }),
      ep("none", { networkName: "0", hasGw4: false, hasGw6: false }),
    ];
    expect(order(cs)).toEqual(["ds-c", "ds-d", "v4a", "v4b", "none", "i"]);
  });

  it("TestGatewayEndpointRespectsPriorityPerAddressFamily: each family picks independently", () => {
    const dual = ep("dual", { gwPriority: 0 });
    const v4only = ep("v4only", { gwPriority: 1000, hasGw6: false });
    expect(selectGateways([dual, v4only])).toEqual({ gw4: "v4only", gw6: "dual" });
  });

  it("internal networks and endpoints without gateways never qualify", () => {
    const internal = ep("int", { internal: true, hasGw4: false, hasGw6: false, gwPriority: 99 });
    expect(selectGateways([internal])).toEqual({ gw4: null, gw6: null });
    expect(selectGateways([internal, ep("v6", { hasGw4: false })])).toEqual({ gw4: null, gw6: "v6" });
    expect(selectGateways([])).toEqual({ gw4: null, gw6: null });
  });

  it("derives gateway families from what the driver reported (§3.1)", () => {
    const base = { interfaceName: "eth0", gateway4: null, gateway6: null };
    expect(gatewayFamilies({ ...base, gateway4: "10.0.0.1" }, false)).toEqual({ hasGw4: true, hasGw6: false });
    // An IPv6 gateway is discarded when the endpoint has no IPv6 address (§1.5 step 4).
    expect(gatewayFamilies({ ...base, gateway6: "fd00::1" }, false)).toEqual({ hasGw4: false, hasGw6: false });
    expect(gatewayFamilies({ ...base, gateway6: "fd00::1" }, true)).toEqual({ hasGw4: false, hasGw6: true });
    expect(gatewayFamilies({ ...base, forceGateway4: true, forceGateway6: true }, true)).toEqual({ hasGw4: true, hasGw6: true });
    expect(gatewayFamilies({ ...base, forceGateway6: true }, false)).toEqual({ hasGw4: false, hasGw6: false });
  });
});
