/** The gateway-change event: core tells drivers what happened, never what to do. */
import type { EndpointInfo, SandboxInfo } from "./driver.js";

/**
 * The gateways of one sandbox as they are now, delivered to every driver that has an endpoint
 * in it after every join and leave, and once after restore.
 *
 * Two phases across all drivers: first every driver gets `phase: "release"`, then every
 * driver gets `phase: "acquire"`, with the same ids. In `release` a driver removes what the
 * new state no longer needs (host ports, 6-to-4 bindings, its default route); in `acquire`
 * it adds what it newly needs. So a host port one driver frees can be taken by another in
 * the same change (a container moving its gateway from network A to B, both publishing 8080).
 *
 * The event is descriptive: a driver derives what it wants from `gw4`/`gw6` and its own
 * `endpoints`, compares with what it applied last (its own state, not core's), and applies
 * only the difference. An identical event is therefore a no-op.
 */
export interface GatewayChange {
  readonly phase: "release" | "acquire";
  readonly sandbox: SandboxInfo;
  /**
   * The endpoint that is the sandbox's IPv4 gateway now, possibly of another driver; null
   * means the sandbox has no IPv4 gateway. Selection: reference-libnetwork.md §3.
   */
  readonly gw4: string | null;
  /** The IPv6 gateway endpoint now; null: none. */
  readonly gw6: string | null;
  /**
   * This driver's endpoints joined to the sandbox. On leave it still includes the leaving
   * endpoint: its driver learns the new state (computed without it) before `leave` runs.
   * Never empty.
   */
  readonly endpoints: readonly EndpointInfo[];
}

/**
 * Whether `endpointId` is the sandbox's gateway per family in `change`: the question most
 * drivers ask first.
 */
export function gatewayRole(change: Pick<GatewayChange, "gw4" | "gw6">, endpointId: string): { readonly gw4: boolean; readonly gw6: boolean } {
  return { gw4: change.gw4 === endpointId, gw6: change.gw6 === endpointId };
}
