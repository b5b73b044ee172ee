/**
 * @netd/driver-routed: `-d routed`, bridge networks whose every family is routed
 * (reference-libnetwork.md §5): no NAT, no masquerade, no host ports; each published
 * container port is opened in the filter for traffic from outside the bridge from join to
 * leave, whether or not the endpoint is the sandbox's gateway; unpublished ports are
 * dropped; ICMP into the network is accepted.
 *
 * Be aware:
 * - it is the bridge driver (`@netd/driver-bridge`) with `forceMode: "routed"` and the nft
 *   table `netd_routed`; the bridge's own `gateway_mode_ipv4/ipv6=routed` runs the same code;
 * - gateway-mode and NAT options are errors, as are unknown keys;
 * - requested host IPs and host ports are ignored with a logged notice (info level).
 */
export { createRoutedDriver } from "./driver.js";
export type { RoutedDriver, RoutedDriverOptions } from "./driver.js";
export { checkRoutedOptions, REFUSED_OPTIONS, ROUTED_NETWORK_OPTIONS } from "./options.js";
export { routedErrorCodes } from "./errors.js";
