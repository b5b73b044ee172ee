/**
 * `@netd/driver-test-suite`: the contract's behaviours as checks a driver author runs in
 * their own tests.
 *
 * ```ts
 * import { describeDriverConformance } from "@netd/driver-test-suite";
 * describeDriverConformance({ name: "macvlan", makeDriver: () => createMacvlanDriver(), networkOptions: { parent: "cfparent" },
 *   prepare: (k, host) => k.links.addBridge(host, { name: "cfparent", up: true }).then(() => undefined) });
 * ```
 *
 * Be aware:
 * - every scenario runs in a fresh world (a new fake kernel, or whatever `makeWorld` makes)
 *   with a fresh driver from `makeDriver`, restored with an empty snapshot first, as at daemon start;
 * - the kernel is compared through the Kernel interface's reads (links, addresses, routes, the
 *   nft tables the driver touched), so sysctls are not compared: enabling forwarding is allowed to stay;
 * - "another driver's endpoint" in gateway changes is an id no endpoint of the driver has.
 */
export { checkDriver, CHECKS, formatFindings } from "./check-driver.js";
export { describeDriverConformance } from "./describe.js";
export type { IntegrationOptions } from "./describe.js";
export { CHECK_NAMES } from "./types.js";
export type { CheckName, ConformanceOptions, ConformanceWorld, Finding } from "./types.js";
