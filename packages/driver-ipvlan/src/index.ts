/**
 * @netd/driver-ipvlan: `-d ipvlan` (reference-libnetwork.md §6), built on @netd/driverapi
 * alone, as a third-party driver would be.
 *
 * Be aware:
 * - options `parent`, `ipvlan_mode` (l2 | l3 | l3s, default l2), `ipvlan_flag` (bridge |
 *   private | vepa, default bridge); a missing parent "LINK.VLAN" is created as a VLAN
 *   sub-interface and deleted with the network; no parent makes the network internal on a
 *   dummy link `di-<id12>` (a kernel without the dummy module refuses such networks);
 * - createNetwork proves with a short-lived ipvlan link that the kernel can do ipvlan, so a
 *   kernel without it fails at create time (code KERNEL_FEATURE_MISSING);
 * - ports are never published (`publishesPorts: false`: core warns);
 * - L3/L3S install `default dev IF` only while the endpoint is the sandbox's gateway.
 */
import type { DriverFactory } from "@netd/driverapi";
import { createIpvlanDriver } from "./driver.js";

export { createIpvlanDriver, IPVLAN_DRIVER_NAME } from "./driver.js";
export { ipvlanErrorCodes } from "./errors.js";
export { IPVLAN_FLAGS, IPVLAN_MODES, IPVLAN_OPTIONS, dummyName, parseNetworkOptions } from "./options.js";
export type { IpvlanConfig, IpvlanFlag, IpvlanMode } from "./options.js";

/** The package's default export for the daemon's driver config: takes no options. */
const factory: DriverFactory = () => createIpvlanDriver();
export default factory;
