/**
 * The one place drivers are registered. The daemon calls {@link createDrivers} once at start
 * and hands the list to the Controller; {@link closeDrivers} at shutdown stops what they run
 * in the daemon's process (userland proxies, reserved sockets) and leaves kernel state alone.
 */
import type { Driver } from "@netd/driverapi";
import { createBridgeDriver } from "@netd/driver-bridge";
import { createRoutedDriver } from "@netd/driver-routed";

/** A driver that may own in-process resources. */
export type DaemonDriver = Driver & { close?(): Promise<void> };

/** Built-in drivers: bridge (nft table "netd") and routed (its own table "netd_routed"). */
export function createDrivers(): DaemonDriver[] {
  return [createBridgeDriver(), createRoutedDriver()];
}

/** Closes every driver that has `close`; collects failures instead of stopping at the first. */
export async function closeDrivers(drivers: readonly DaemonDriver[]): Promise<unknown[]> {
  const results = await Promise.allSettled(drivers.map((d) => d.close?.() ?? Promise.resolve()));
  return results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
}
