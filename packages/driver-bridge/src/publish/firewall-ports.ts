/** What the firewall should hold for an endpoint's applied bindings (reference §4.8, per-port). */
import type { BridgeNetworkConfig, EndpointPorts, PortMapping, PortOpening } from "../model.js";
import type { AppliedBinding } from "./types.js";
import { isSixToFour, isUnspecified } from "./types.js";

/**
 * Maps applied bindings to firewall elements. NAT bindings become DNAT mappings (any local
 * address for 0.0.0.0/::) plus an opening unless the family is nat-unprotected; routed
 * bindings are openings only; 6-to-4 bindings get nothing (the proxy serves them, and an
 * IPv6→IPv4 DNAT does not exist). Openings are deduplicated. Empty input: no elements.
 */
export function endpointPorts(network: Pick<BridgeNetworkConfig, "mode4" | "mode6">, applied: readonly AppliedBinding[]): EndpointPorts {
  const mappings = new Map<string, PortMapping>();
  const openings = new Map<string, PortOpening>();
  for (const b of applied) {
    if (isSixToFour(b)) continue;
    const mode = b.family === 4 ? network.mode4 : network.mode6;
    if (b.mapper === "nat") {
      const mapping: PortMapping = {
        family: b.family,
        protocol: b.protocol,
        hostIp: isUnspecified(b.hostIp) ? null : b.hostIp,
        hostPort: b.hostPort,
        containerIp: b.containerIp,
        containerPort: b.containerPort,
      };
      mappings.set(`${b.family}/${b.protocol}/${mapping.hostIp ?? "*"}/${b.hostPort}`, mapping);
      if (mode === "nat-unprotected") continue;
    }
    openings.set(`${b.family}/${b.protocol}/${b.containerIp}/${b.containerPort}`, {
      family: b.family,
      protocol: b.protocol,
      containerIp: b.containerIp,
      containerPort: b.containerPort,
    });
  }
  return { mappings: [...mappings.values()], openings: [...openings.values()] };
}
