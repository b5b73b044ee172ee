import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The part of vitest's JSON report that scripts/summarize-tests.mjs reads. */
export interface VitestReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests?: number;
  success?: boolean;
  testResults: { name: string; status: string; message?: string; assertionResults: unknown[] }[];
}

/**
 * Checks the report the guest wrote for one package and stores it at `target`
 * (<pkg>/.cache/vitest-vm.json). A missing or unreadable report, no tests at all, skipped
 * tests, or a non-zero vitest exit without a failed test each add one failed suite naming
 * the reason, so the closing "N passed, N failed" line can never count them as success.
 * Returns the problems found (empty when the report is clean).
 */
export function collectReport(source: string, target: string, exit: number | undefined, whyMissing: string): string[] {
  let report: VitestReport | undefined;
  const problems: string[] = [];
  if (!existsSync(source)) problems.push(`no vitest report came back from the guest: ${whyMissing}`);
  else {
    try {
      report = JSON.parse(readFileSync(source, "utf8")) as VitestReport;
    } catch (err) {
      problems.push(`the guest's vitest report is not JSON (${(err as Error).message}): the guest stopped while writing it`);
    }
  }
  if (report) {
    if (report.numTotalTests === 0) problems.push("the guest ran 0 tests: no test/vm/**/*.vm.test.ts was found or loaded");
    const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
    if (skipped > 0) problems.push(`${skipped} VM test(s) were skipped: VM tests never skip, remove .skip/.todo`);
    if (exit === undefined) problems.push("the guest did not print vitest's exit status: it stopped during the run");
    else if (exit !== 0 && report.numFailedTests === 0 && report.testResults.every((s) => s.status !== "failed")) {
      problems.push(`vitest exited with status ${exit} in the guest without a failed test (see the console log)`);
    }
  }
  const out: VitestReport = report ?? { numTotalTests: 0, numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, testResults: [] };
  for (const message of problems) {
    out.testResults.push({ name: `netd-vm: ${message}`, status: "failed", message, assertionResults: [] });
  }
  if (problems.length > 0) out.success = false;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, JSON.stringify(out));
  return problems;
}
