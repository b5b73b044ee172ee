/**
 * Gateway selection, exactly as reference-libnetwork.md §3: endpoints sorted by preference,
 * then the IPv4 and IPv6 gateways chosen independently as the first endpoint that has a
 * gateway of that family. Pure: no I/O, no state.
 */
import type { JoinResult } from "@netd/driverapi";
import type { GatewayPair } from "../model.js";

/** What selection needs to know about one joined endpoint. */
export interface GatewayCandidate {
  readonly endpointId: string;
  readonly networkName: string;
  readonly internal: boolean;
  readonly gwPriority: number;
  /** The endpoint has an IPv4 gateway, a forced one, or a 0.0.0.0/0 route (§3.1). */
  readonly hasGw4: boolean;
  /** Likewise for IPv6; false whenever the endpoint has no IPv6 address. */
  readonly hasGw6: boolean;
}

function gatewayCount(c: GatewayCandidate): number {
  return (c.hasGw4 ? 1 : 0) + (c.hasGw6 ? 1 : 0);
}

/**
 * The preference order of §3.2: higher gw-priority first, then non-internal before internal,
 * then dual-stack before single before none, then network name ascending. Returns < 0 when
 * `a` is preferred.
 */
export function compareCandidates(a: GatewayCandidate, b: GatewayCandidate): number {
  if (a.gwPriority !== b.gwPriority) return b.gwPriority - a.gwPriority;
  if (a.internal !== b.internal) return a.internal ? 1 : -1;
  const ga = gatewayCount(a);
  const gb = gatewayCount(b);
  if (ga !== gb) return gb - ga;
  if (a.networkName !== b.networkName) return a.networkName < b.networkName ? -1 : 1;
  return a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0;
}

/** Candidates in preference order (a new array). */
export function sortCandidates(candidates: readonly GatewayCandidate[]): GatewayCandidate[] {
  return [...candidates].sort(compareCandidates);
}

/** gw4 and gw6 chosen independently from the sorted candidates (§3.3). */
export function selectGateways(candidates: readonly GatewayCandidate[]): GatewayPair {
  const sorted = sortCandidates(candidates);
  return {
    gw4: sorted.find((c) => c.hasGw4)?.endpointId ?? null,
    gw6: sorted.find((c) => c.hasGw6)?.endpointId ?? null,
  };
}

/**
 * Whether a joined endpoint has a gateway per family (§3.1). An IPv6 gateway is discarded
 * when the endpoint has no IPv6 address (§1.5 step 4).
 */
export function gatewayFamilies(join: JoinResult, hasIpv6Address: boolean): { hasGw4: boolean; hasGw6: boolean } {
  const hasGw4 = join.gateway4 !== null || join.forceGateway4 === true;
  const hasGw6 = hasIpv6Address && (join.gateway6 !== null || join.forceGateway6 === true);
  return { hasGw4, hasGw6 };
}
