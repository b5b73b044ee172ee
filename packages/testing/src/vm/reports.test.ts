import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectReport, type VitestReport } from "./reports.js";

const dir = mkdtempSync(join(tmpdir(), "netd-vm-report-test-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(over: Partial<VitestReport>): string {
  const path = join(dir, `in-${n++}.json`);
  const base: VitestReport = { numTotalTests: 2, numPassedTests: 2, numFailedTests: 0, numPendingTests: 0, testResults: [{ name: "a", status: "passed", assertionResults: [] }] };
  writeFileSync(path, JSON.stringify({ ...base, ...over }));
  return path;
}

function collect(source: string, exit: number | undefined): { problems: string[]; out: VitestReport } {
  const target = join(dir, `out-${n++}`, "vitest-vm.json");
  const problems = collectReport(source, target, exit, "the guest was killed");
  return { problems, out: JSON.parse(readFileSync(target, "utf8")) as VitestReport };
}

/** What scripts/summarize-tests.mjs counts as failures for one report. */
function summarizedFailures(r: VitestReport): number {
  return r.numFailedTests + r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
}

describe("collectReport", () => {
  it("keeps a clean report as is", () => {
    const { problems, out } = collect(report({}), 0);
    expect(problems).toEqual([]);
    expect(out.numPassedTests).toBe(2);
    expect(summarizedFailures(out)).toBe(0);
  });

  it("turns a missing report into a counted failure that says why", () => {
    const { problems, out } = collect(join(dir, "absent.json"), undefined);
    expect(problems).toEqual(["no vitest report came back from the guest: the guest was killed"]);
    expect(summarizedFailures(out)).toBe(1);
  });

  it("fails a truncated report", () => {
    const path = join(dir, "truncated.json");
    writeFileSync(path, '{"numTotalTests": 3, "numPass');
    const { problems, out } = collect(path, 1);
    expect(problems[0]).toMatch(/not JSON/);
    expect(summarizedFailures(out)).toBe(1);
  });

  it("fails a run of 0 tests, skipped tests, and a missing exit status", () => {
    expect(collect(report({ numTotalTests: 0, numPassedTests: 0, testResults: [] }), 1).problems).toEqual([
      "the guest ran 0 tests: no test/vm/**/*.vm.test.ts was found or loaded",
      "vitest exited with status 1 in the guest without a failed test (see the console log)",
    ]);
    const skipped = collect(report({ numTotalTests: 3, numPendingTests: 1 }), 0);
    expect(skipped.problems).toEqual(["1 VM test(s) were skipped: VM tests never skip, remove .skip/.todo"]);
    expect(summarizedFailures(skipped.out)).toBe(1);
    expect(collect(report({}), undefined).problems).toEqual(["the guest did not print vitest's exit status: it stopped during the run"]);
  });

  it("adds nothing to a report whose failures vitest already counted", () => {
    const { problems, out } = collect(report({ numPassedTests: 1, numFailedTests: 1 }), 1);
    expect(problems).toEqual([]);
    expect(summarizedFailures(out)).toBe(1);
  });
});
