import type { BridgeNetworkConfig } from "../../src/model.js";

/** A validated bridge network config with the driver's defaults (nat both ways, icc, masquerade); `over` wins. */
export function bridgeNetworkConfig(over: Partial<BridgeNetworkConfig> & { id: string; subnet4: string | null; subnet6: string | null }): BridgeNetworkConfig {
  return {
    name: over.id,
    bridgeName: `br-${over.id}`,
    internal: false,
    icc: true,
    masquerade: true,
    mode4: "nat",
    mode6: "nat",
    inhibitIpv4: false,
    mtu: null,
    hostIpv4: null,
    hostIpv6: null,
    defaultBindingIp: null,
    ifPrefix: "eth",
    gateway4: over.subnet4 === null ? null : over.subnet4.replace(/0\/\d+$/, "1"),
    gateway6: over.subnet6 === null ? null : over.subnet6.replace(/::\/\d+$/, "::1"),
    ...over,
  };
}
