/** Port publishing driven by the gateway-change event (reference §4.5–§4.7, DESIGN §3). */
import type { UserlandProxy } from "@netd/driverapi";
import type { Publisher, PublisherDeps } from "../model.js";
import { createProxyManager } from "../proxy/manager.js";
import { createPublisherWith } from "./publisher.js";

/**
 * Creates the bridge driver's publisher. Called once per driver instance by driver.ts. When
 * the driver's `userlandProxy` option is on, `proxy` (the daemon's netd-proxy) serves the
 * bindings, or without it the in-process fallback.
 */
export function createPublisher(deps: PublisherDeps, userlandProxy: boolean, proxy?: UserlandProxy): Publisher {
  return createPublisherWith(deps, { userlandProxy, createProxy: () => proxy ?? createProxyManager(deps.ctx.log) });
}

export { createPublisherWith } from "./publisher.js";
export type { PublisherOptions } from "./publisher.js";
export { publishErrorCodes } from "./errors.js";
