/** Step 1 of planning: which kinds of bindings an endpoint should have after a gateway event. */
import type { BridgeNetworkConfig } from "../model.js";

/** What an endpoint publishes, per family (reference §4.5, with netd's routed rule of §5). */
export interface RequestedModes {
  /** NAT bindings on host IPv4 addresses: the endpoint is gw4 and the family is NATed. */
  readonly nat4: boolean;
  /** NAT bindings on host IPv6 addresses: gw6, or gw4 with no gw6 at all (then maybe 6-to-4). */
  readonly nat6: boolean;
  /** Routed openings, from join to leave, gateway or not. */
  readonly routed4: boolean;
  readonly routed6: boolean;
}

const NONE: RequestedModes = { nat4: false, nat6: false, routed4: false, routed6: false };

const natted = (mode: BridgeNetworkConfig["mode4"]): boolean => mode === "nat" || mode === "nat-unprotected";

/**
 * Computes the requested modes of `endpointId` for the gateway ids of an event. `joined`
 * false (the endpoint is leaving or gone) still keeps routed openings: they go at leave,
 * through `releaseEndpoint`. Internal networks publish nothing.
 */
export function requestedModes(
  network: BridgeNetworkConfig,
  endpointId: string,
  gw4: string | null,
  gw6: string | null,
): RequestedModes {
  if (network.internal) return NONE;
  const isGw4 = gw4 === endpointId;
  const servesV6 = gw6 === endpointId || (gw6 === null && isGw4);
  return {
    nat4: isGw4 && natted(network.mode4),
    // A network without IPv6 keeps mode6 at its default; 6-to-4 follows mode6 too.
    nat6: servesV6 && natted(network.mode6),
    routed4: network.mode4 === "routed",
    routed6: network.mode6 === "routed",
  };
}
