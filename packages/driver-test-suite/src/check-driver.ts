/** Runs the checks as plain functions, so findings can be inspected (and tested) without vitest. */
import { checkContract } from "./checks/contract.js";
import { checkGatewayChange } from "./checks/gateway.js";
import { checkCreateDelete, checkJoinLeave } from "./checks/lifecycle.js";
import { checkCrashRecovery, checkRollback } from "./checks/rollback.js";
import { checkTeardown } from "./checks/teardown.js";
import { CHECK_NAMES, type CheckName, type ConformanceOptions, type Finding } from "./types.js";

/** Each check by name; each returns its findings (empty: the driver passed it). */
export const CHECKS: Readonly<Record<CheckName, (options: ConformanceOptions) => Promise<Finding[]>>> = {
  contract: checkContract,
  "create-delete": checkCreateDelete,
  "join-leave": checkJoinLeave,
  "gateway-change": checkGatewayChange,
  rollback: checkRollback,
  "crash-recovery": checkCrashRecovery,
  teardown: checkTeardown,
};

/**
 * Runs every check (or `options.only`) in order and returns all findings; empty means the
 * driver conforms. Never throws for a driver's mistake: a throw from a hook becomes a finding.
 */
export async function checkDriver(options: ConformanceOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const name of options.only ?? CHECK_NAMES) findings.push(...(await CHECKS[name](options)));
  return findings;
}

/** Findings as one text, one paragraph each, for an assertion message. */
export function formatFindings(driver: string, findings: readonly Finding[]): string {
  return `driver '${driver}' does not conform (${findings.length} finding(s)):\n\n${findings.map((f) => `[${f.check}] ${f.message}`).join("\n\n")}`;
}
