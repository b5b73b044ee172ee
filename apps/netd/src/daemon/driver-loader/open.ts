/** The daemon's drivers: the built-in ones, then those of the config file, each with its description. */
import type { Driver } from "@netd/driverapi";
import { createDrivers, type BuiltinDriverSettings } from "../../drivers.js";
import { NETD_VERSION } from "../../version.js";
import { loadDrivers, type LoadedDriver } from "./load.js";
import type { DriverDescription, DriverEntry } from "./types.js";

/** Built-in drivers come from the @netd/netd package itself. */
export function describeBuiltin(driver: Driver): LoadedDriver {
  const description: DriverDescription = { name: driver.name, apiVersion: driver.apiVersion, source: "builtin", package: "@netd/netd", version: NETD_VERSION };
  return { driver, description };
}

/** Built-ins plus the config file's `drivers`; throws a DriverLoadError naming the entry that failed. */
export async function openDrivers(settings: BuiltinDriverSettings, entries: readonly DriverEntry[], resolveFrom?: string): Promise<LoadedDriver[]> {
  const builtins = createDrivers(settings).map(describeBuiltin);
  return [...builtins, ...(await loadDrivers(entries, builtins.map((b) => b.description), resolveFrom))];
}
