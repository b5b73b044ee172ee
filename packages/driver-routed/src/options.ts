/**
 * Network options of the routed driver: the bridge driver's options minus those that make
 * no sense when no family is NATed. Checked in createNetwork before the bridge driver (and
 * the kernel) sees anything; the values of the accepted keys are validated by the bridge.
 */
import type { NetworkInfo } from "@netd/driverapi";
import { NETWORK_OPTIONS } from "@netd/driver-bridge";
import { routedError } from "./errors.js";

/**
 * Bridge options a routed network refuses, with the reason given in the error. Refused,
 * not ignored: a user who sets one expects an effect the routed driver cannot give.
 */
export const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  [NETWORK_OPTIONS.gatewayModeIpv4]: "every family of a routed network is routed; for mixed modes use the bridge driver with gateway_mode_ipv4/ipv6",
  [NETWORK_OPTIONS.gatewayModeIpv6]: "every family of a routed network is routed; for mixed modes use the bridge driver with gateway_mode_ipv4/ipv6",
  [NETWORK_OPTIONS.enableIpMasquerade]: "a routed network never masquerades",
  [NETWORK_OPTIONS.hostIpv4]: "a routed network does no SNAT, so it has no host source address",
  [NETWORK_OPTIONS.hostIpv6]: "a routed network does no SNAT, so it has no host source address",
  [NETWORK_OPTIONS.hostBindingIpv4]: "routed ports have no host address (they are opened on the container address)",
};

/** Option keys accepted by the routed driver's createNetwork (`-o KEY=VALUE`). */
export const ROUTED_NETWORK_OPTIONS: readonly string[] = Object.values(NETWORK_OPTIONS).filter((k) => !(k in REFUSED_OPTIONS));

/**
 * Refuses unknown keys and keys in {@link REFUSED_OPTIONS}; each error names the key.
 * Called first in createNetwork. Empty options are fine (defaults of the bridge: icc on,
 * bridge `br-<id[:12]>`, interface prefix "eth").
 */
export function checkRoutedOptions(network: Pick<NetworkInfo, "name" | "options">): void {
  for (const [key, value] of Object.entries(network.options)) {
    const reason = REFUSED_OPTIONS[key];
    if (reason !== undefined) {
      throw routedError("INVALID_OPTION", `option ${key}=${value} is not accepted by the routed driver (network '${network.name}'): ${reason}`, `remove ${key} from the options of '${network.name}'`, { key, value });
    }
    if (!ROUTED_NETWORK_OPTIONS.includes(key)) {
      throw routedError("UNKNOWN_OPTION", `unknown network option '${key}' for the routed driver (network '${network.name}')`, `remove it; valid options: ${ROUTED_NETWORK_OPTIONS.join(", ")}`, { key });
    }
  }
}
