/**
 * Step 2 of planning: turns a sandbox's PortBindings into per-family planned bindings for
 * one endpoint (reference §4.6, `configurePortBinding{IPv4,IPv6}`). Pure; the notices it
 * returns are logged by the caller.
 */
import type { PortBinding } from "@netd/driverapi";
import { invalidArgument } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig } from "../model.js";
import { canonicalIp, familyOf } from "./address.js";
import type { RequestedModes } from "./modes.js";
import type { PlannedBinding } from "./types.js";

/** What normalisation needs besides the bindings. */
export interface NormalizeInput {
  readonly bindings: readonly PortBinding[];
  readonly endpoint: Pick<BridgeEndpoint, "ipv4" | "ipv6">;
  readonly network: Pick<BridgeNetworkConfig, "defaultBindingIp">;
  readonly modes: RequestedModes;
  /** The driver's `userlandProxy` option: only the proxy can serve 6-to-4. */
  readonly proxy: boolean;
}

/** Planned bindings (unsorted) and notices such as "Host port ignored, because NAT is disabled". */
export interface NormalizeResult {
  readonly bindings: PlannedBinding[];
  readonly notices: string[];
}

/**
 * Normalises every binding. Throws INVALID_ARGUMENT for a host IP that is not an address
 * (before anything is planned). Empty `bindings` gives an empty result.
 */
export function normalizeBindings(input: NormalizeInput): NormalizeResult {
  const { endpoint, modes } = input;
  const out: PlannedBinding[] = [];
  const notices: string[] = [];
  const defaultIp = input.network.defaultBindingIp === null ? "0.0.0.0" : canonical(input.network.defaultBindingIp);
  for (const pb of input.bindings) {
    const hostIp = pb.hostIp === null || pb.hostIp === "" ? null : canonical(pb.hostIp);
    const hostFamily = hostIp === null ? null : familyOf(hostIp);
    const describe = `${pb.containerPort}/${pb.protocol}`;

    // IPv4 host side.
    if (endpoint.ipv4 !== null && hostFamily !== 6 && (modes.nat4 || modes.routed4)) {
      const routed = modes.routed4;
      let ip: string | null = hostIp ?? (familyOf(defaultIp) === 6 ? null : defaultIp);
      if (ip !== null && routed && ip !== "0.0.0.0") {
        if (hostIp !== null) notices.push(`Using address 0.0.0.0 because NAT is disabled (${describe}, ${ip} ignored)`);
        ip = "0.0.0.0";
      }
      if (ip !== null) out.push(make(pb, routed, 4, ip, endpoint.ipv4, notices));
    }

    // IPv6 host side.
    if (hostFamily !== 4 && (modes.nat6 || modes.routed6)) {
      const routed = modes.routed6;
      let target = endpoint.ipv6;
      if (target === null && !routed && endpoint.ipv4 !== null) {
        if (input.proxy) target = endpoint.ipv4;
        else notices.push(`Cannot map from IPv6 to an IPv4-only container because the userland proxy is disabled (${describe})`);
      }
      let ip: string | null;
      if (hostIp !== null) ip = hostIp;
      else if (defaultIp === "0.0.0.0") ip = "::";
      else if (familyOf(defaultIp) === 6) ip = defaultIp;
      else ip = null; // a specific IPv4 default binds IPv4 only
      if (ip !== null && routed && ip !== "::") {
        if (hostIp !== null) notices.push(`Using address :: because NAT is disabled (${describe}, ${ip} ignored)`);
        ip = "::";
      }
      if (ip !== null && target !== null) out.push(make(pb, routed, 6, ip, target, notices));
    }
  }
  return { bindings: out, notices };
}

function make(pb: PortBinding, routed: boolean, family: 4 | 6, hostIp: string, containerIp: string, notices: string[]): PlannedBinding {
  if (routed && pb.hostPortStart !== 0) {
    notices.push(`Host port ignored, because NAT is disabled (${pb.containerPort}/${pb.protocol}, host port ${pb.hostPortStart})`);
  }
  const start = routed ? 0 : pb.hostPortStart;
  const end = routed ? 0 : pb.hostPortEnd === 0 ? pb.hostPortStart : pb.hostPortEnd;
  return {
    mapper: routed ? "routed" : "nat",
    family,
    protocol: pb.protocol,
    hostIp,
    hostPortStart: start,
    hostPortEnd: end,
    containerIp: canonical(containerIp),
    containerPort: pb.containerPort,
  };
}

function canonical(ip: string): string {
  const c = canonicalIp(ip);
  if (c === null) {
    throw invalidArgument(`invalid host IP '${ip}' in a port binding`, "give an IPv4 or IPv6 address, or none for every address");
  }
  return c;
}
