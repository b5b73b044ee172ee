/**
 * The daemon's built-in drivers. The daemon calls {@link createDrivers} once at start and
 * hands the list to the Controller, which calls each driver's `shutdown` at stop and
 * `cleanup` on `netd cleanup`: the daemon itself names no driver's tables or devices.
 */
import type { Driver } from "@netd/driverapi";
import type { NetdUserlandProxy } from "@netd/kernel";
import { createBridgeDriver } from "@netd/driver-bridge";
import { createIpvlanDriver } from "@netd/driver-ipvlan";
import { createRoutedDriver } from "@netd/driver-routed";

/** Daemon settings the built-in drivers take as factory options. */
export interface BuiltinDriverSettings {
  /** `--userland-proxy`: bridge and routed serve host-local, hairpin and 6-to-4 traffic through a proxy. */
  readonly userlandProxy: boolean;
  /** The daemon's netd-proxy; each driver gets its own view. Absent: the drivers' in-process fallback. */
  readonly proxy?: NetdUserlandProxy;
}

/** Built-in drivers: bridge (nft table "netd"), routed (its own table "netd_routed") and ipvlan (no firewall). */
export function createDrivers(settings: BuiltinDriverSettings): Driver[] {
  const proxy = () => (settings.proxy ? { proxy: settings.proxy.forDriver() } : {});
  return [createBridgeDriver({ userlandProxy: settings.userlandProxy, ...proxy() }), createRoutedDriver({ userlandProxy: settings.userlandProxy, ...proxy() }), createIpvlanDriver()];
}
