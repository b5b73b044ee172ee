/** The driver object itself: name, apiVersion, capabilities and hooks. */
import { API_VERSION, type Driver } from "@netd/driverapi";
import type { ConformanceOptions, Finding } from "../types.js";
import { errorText, Findings } from "./scenario.js";

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const REQUIRED = ["createNetwork", "deleteNetwork", "join", "leave"] as const;
const OPTIONAL = ["createEndpoint", "deleteEndpoint", "onGatewayChange", "endpointInfo", "restore", "reconcile", "shutdown", "cleanup"] as const;

export async function checkContract(options: ConformanceOptions): Promise<Finding[]> {
  const f = new Findings("contract");
  let driver: Driver;
  try {
    driver = await options.makeDriver();
  } catch (e) {
    f.add(`makeDriver() threw: ${errorText(e)}`);
    return f.list;
  }
  if (typeof driver.name !== "string" || !NAME.test(driver.name)) {
    f.add(`name ${JSON.stringify(driver.name)} is not a valid driver name: use 1–64 characters of [a-z0-9_.-] starting with a letter or digit (users type it after -d).`);
  }
  if (driver.apiVersion !== API_VERSION) {
    f.add(`apiVersion is ${JSON.stringify(driver.apiVersion)} but this suite and @netd/driverapi implement contract version ${API_VERSION}: the daemon refuses to load the driver. Set apiVersion: API_VERSION (imported from @netd/driverapi) after migrating.`);
  }
  const caps = driver.capabilities as unknown as Record<string, unknown> | undefined;
  if (!caps) f.add("capabilities is missing: declare scope, needsGatewayAddress, publishesPorts, supportsIPv4 and supportsIPv6.");
  else {
    if (caps.scope !== "local") f.add(`capabilities.scope is ${JSON.stringify(caps.scope)}: only "local" exists.`);
    for (const key of ["needsGatewayAddress", "publishesPorts", "supportsIPv4", "supportsIPv6"]) {
      if (typeof caps[key] !== "boolean") f.add(`capabilities.${key} must be true or false, got ${JSON.stringify(caps[key])}: core reads it and never probes.`);
    }
    if (caps.supportsIPv4 === false && caps.supportsIPv6 === false) f.add("capabilities say neither IPv4 nor IPv6 is supported: no network could be created.");
  }
  const hooks = driver as unknown as Record<string, unknown>;
  for (const name of REQUIRED) {
    if (typeof hooks[name] !== "function") f.add(`${name} is required but is ${typeof hooks[name]}.`);
  }
  for (const name of OPTIONAL) {
    if (hooks[name] !== undefined && typeof hooks[name] !== "function") f.add(`${name} must be a function or absent (absent means "nothing to do"), got ${typeof hooks[name]}.`);
  }
  return f.list;
}
