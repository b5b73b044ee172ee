/**
 * The publisher's own model: a planned binding (what the sandbox's PortBindings, the
 * endpoint, its network and the gateway event ask for) and an applied binding (the same
 * with the host port that was actually taken). Shared by the planning steps (pure) and the
 * applying steps (sockets, proxy, firewall).
 */
import type { Protocol } from "@netd/driverapi";

/** "nat": a host port is allocated and DNATed (or proxied); "routed": an opening only, no host port. */
export type Mapper = "nat" | "routed";

/** One binding for one host address, before a host port is chosen. */
export interface PlannedBinding {
  readonly mapper: Mapper;
  /** Family of the HOST side (`hostIp`). The container side may differ: 6-to-4. */
  readonly family: 4 | 6;
  readonly protocol: Protocol;
  /** Canonical host address: "0.0.0.0", "::" or one address. Routed: always the unspecified one. */
  readonly hostIp: string;
  /** Acceptable host ports; 0/0 = ephemeral. Routed: 0/0. */
  readonly hostPortStart: number;
  readonly hostPortEnd: number;
  /** Container address (IPv4 for a 6-to-4 binding whose family is 6). */
  readonly containerIp: string;
  readonly containerPort: number;
}

/** A planned binding that is in effect, with its host port (0 for routed). Persisted as JSON. */
export interface AppliedBinding extends PlannedBinding {
  readonly hostPort: number;
}

/** Identity of a planned binding: equal keys mean the same desired binding. */
export function bindingKey(b: PlannedBinding): string {
  return `${b.mapper}/${b.protocol}/${b.hostIp}/${b.hostPortStart}-${b.hostPortEnd}/${b.containerIp}/${b.containerPort}`;
}

/**
 * Bindings with the same group key share ONE host port (the reference's `needSamePort`):
 * they differ only in host (and so container) address.
 */
export function groupKey(b: PlannedBinding): string {
  return `${b.mapper}/${b.protocol}/${b.hostPortStart}-${b.hostPortEnd}/${b.containerPort}`;
}

/** True when the binding maps a host IPv6 address to a container IPv4 address (proxy only). */
export function isSixToFour(b: PlannedBinding): boolean {
  return b.family === 6 && !b.containerIp.includes(":");
}

/** True for 0.0.0.0 and ::. */
export function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}
