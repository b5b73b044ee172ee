/** The gateway-change event: core tells drivers what happened, never what to do. */
import type { EndpointInfo, SandboxInfo } from "./driver.js";

/**
 * Delivered once per sandbox to every driver that has an endpoint in it, after every join
 * and leave and on restore, in two phases across all drivers: first every driver gets
 * `phase: "release"`, then every driver gets `phase: "acquire"`.
 *
 * - `gw4`/`gw6` are endpoint ids, possibly of other drivers; null means "no gateway for this
 *   family". Selection: reference-libnetwork.md §3.
 * - In `release` a driver removes what the new state no longer needs (e.g. frees host ports,
 *   drops 6-to-4 bindings, deletes its default route); in `acquire` it adds what it newly
 *   needs. Both phases carry the same ids.
 * - Drivers keep their own applied state and apply only the difference: an identical event
 *   is a no-op.
 */
export interface GatewayChange {
  readonly phase: "release" | "acquire";
  /** Why core computed the event. `rollback` re-sends a previous state after a failed join. */
  readonly reason: "join" | "leave" | "restore" | "rollback";
  readonly sandbox: SandboxInfo;
  readonly gw4: string | null;
  readonly gw6: string | null;
  /** The ids of the last event delivered for this sandbox (null/null for the first one). */
  readonly previous: { readonly gw4: string | null; readonly gw6: string | null };
  /**
   * This driver's endpoints joined to the sandbox. On leave this still includes the leaving
   * endpoint: its driver learns the new state (computed without it) before `leave` runs.
   */
  readonly endpoints: readonly EndpointInfo[];
}
