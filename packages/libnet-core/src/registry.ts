/** The driver registry: name → driver, with the contract checked at registration. */
import { API_VERSION } from "@netd/driverapi";
import type { Driver } from "@netd/driverapi";
import { coreError } from "./errors.js";

const REQUIRED_HOOKS = ["createNetwork", "deleteNetwork", "join", "leave"] as const;
const OPTIONAL_HOOKS = ["createEndpoint", "deleteEndpoint", "onGatewayChange", "endpointInfo", "restore", "reconcile", "shutdown", "cleanup"] as const;
const CAPABILITY_FLAGS = ["needsGatewayAddress", "publishesPorts", "supportsIPv4", "supportsIPv6"] as const;
const DRIVER_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export class DriverRegistry {
  private readonly drivers = new Map<string, Driver>();

  /**
   * Adds a driver after checking its name, apiVersion, capabilities and hooks. Throws
   * DRIVER_INVALID, DRIVER_API_MISMATCH or DRIVER_EXISTS; the registry is unchanged then.
   */
  register(driver: Driver): void {
    const name = typeof driver?.name === "string" ? driver.name : "";
    if (!DRIVER_NAME.test(name)) {
      throw coreError("DRIVER_INVALID", `driver name ${JSON.stringify(driver?.name)} is invalid`, "use lower-case letters, digits, '.', '-' or '_' (at most 64)");
    }
    if (driver.apiVersion !== API_VERSION) {
      throw coreError(
        "DRIVER_API_MISMATCH",
        `driver '${name}' was built for driver API ${String(driver.apiVersion)}, netd speaks ${API_VERSION}`,
        `rebuild the driver against @netd/driverapi ${API_VERSION}.x (API_VERSION ${API_VERSION}); the changelog of @netd/driverapi explains the migration`,
        { driver: name, apiVersion: driver.apiVersion },
      );
    }
    const caps = driver.capabilities as unknown;
    if (typeof caps !== "object" || caps === null || (caps as { scope?: unknown }).scope !== "local") {
      throw coreError("DRIVER_INVALID", `driver '${name}' declares no capabilities with scope "local"`, "set capabilities { scope: 'local', needsGatewayAddress, publishesPorts, supportsIPv4, supportsIPv6 }");
    }
    for (const flag of CAPABILITY_FLAGS) {
      if (typeof (caps as Record<string, unknown>)[flag] !== "boolean") {
        throw coreError("DRIVER_INVALID", `driver '${name}' declares capability ${flag} as ${JSON.stringify((caps as Record<string, unknown>)[flag])}`, `set capabilities.${flag} to true or false`);
      }
    }
    for (const hook of REQUIRED_HOOKS) {
      if (typeof driver[hook] !== "function") {
        throw coreError("DRIVER_INVALID", `driver '${name}' lacks the required hook ${hook}()`, "implement every required hook of the Driver contract");
      }
    }
    for (const hook of OPTIONAL_HOOKS) {
      if (driver[hook] !== undefined && typeof driver[hook] !== "function") {
        throw coreError("DRIVER_INVALID", `driver '${name}' has ${hook} that is not a function`, "leave an optional hook out rather than stubbing it");
      }
    }
    if (this.drivers.has(name)) {
      throw coreError("DRIVER_EXISTS", `a driver named '${name}' is already registered`, "register each driver once");
    }
    this.drivers.set(name, driver);
  }

  /** The driver named `name`; DRIVER_NOT_FOUND lists the registered ones. */
  get(name: string): Driver {
    const d = this.drivers.get(name);
    if (!d) {
      throw coreError("DRIVER_NOT_FOUND", `unknown driver '${name}'`, `use one of: ${this.names().join(", ") || "(none registered)"}`, { driver: name });
    }
    return d;
  }

  names(): string[] {
    return [...this.drivers.keys()].sort();
  }
}
