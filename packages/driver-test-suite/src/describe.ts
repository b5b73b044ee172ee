/** The vitest wrapper: one test per check. */
import { describe, it } from "vitest";
import { CHECKS, formatFindings } from "./check-driver.js";
import { CHECK_NAMES, type ConformanceOptions } from "./types.js";

/** Options of the integration mode: `makeWorld` (a real kernel and a test namespace) is required. */
export type IntegrationOptions = ConformanceOptions & Required<Pick<ConformanceOptions, "makeWorld">>;

/**
 * Registers `describe("<name> driver conformance")` with one test per check. Call it at the
 * top level of a test file; each test fails with every finding of its check.
 */
function describeDriverConformance(options: ConformanceOptions): void {
  describe(`${options.name} driver conformance`, () => {
    for (const name of options.only ?? CHECK_NAMES) {
      it(name, async () => {
        const findings = await CHECKS[name](options);
        if (findings.length > 0) throw new Error(formatFindings(options.name, findings));
      });
    }
  });
}

/**
 * The same checks against a real kernel: `makeWorld` returns a Linux Kernel and a namespace
 * the test created (and disposes it). Needs root; pass the test environment's prefix as
 * `netnsPrefix` so its leftover check covers the sandboxes the suite creates.
 */
describeDriverConformance.integration = (options: IntegrationOptions): void => {
  describeDriverConformance({ ...options, name: `${options.name} (real kernel)` });
};

export { describeDriverConformance };
