/** Port publishing driven by the gateway-change event (reference §4.5–§4.7, DESIGN §3). */
import type { Publisher, PublisherDeps } from "../model.js";
import { createProxyManager } from "../proxy/manager.js";
import { createPublisherWith } from "./publisher.js";

/**
 * Creates the bridge driver's publisher. Called once per driver instance by driver.ts; the
 * userland proxy runs in this process when the driver's `userlandProxy` option is on.
 */
export function createPublisher(deps: PublisherDeps, userlandProxy: boolean): Publisher {
  return createPublisherWith(deps, { userlandProxy, createProxy: () => createProxyManager(deps.ctx.log) });
}

export { createPublisherWith } from "./publisher.js";
export type { PublisherOptions } from "./publisher.js";
export { publishErrorCodes } from "./errors.js";
