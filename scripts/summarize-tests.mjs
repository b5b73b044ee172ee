// Sums every vitest JSON report of this run into the closing line CI reads.
// A test file that failed to load counts as one failure; so does a failed non-test task
// (build, typecheck, lint), signalled by the exit status passed as the first argument.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
const reports = [];
for (const group of ["packages", "apps", "examples"]) {
  if (!existsSync(join(root, group))) continue;
  for (const dir of readdirSync(join(root, group))) {
    const cache = join(root, group, dir, ".cache");
    if (!existsSync(cache)) continue;
    for (const file of readdirSync(cache).filter((f) => /^vitest-.*\.json$/.test(f))) {
      const report = JSON.parse(readFileSync(join(cache, file), "utf8"));
      reports.push(`${group}/${dir}/${file}`);
      passed += report.numPassedTests;
      failed += report.numFailedTests;
      for (const suite of report.testResults ?? []) {
        if (suite.status === "failed" && (suite.assertionResults ?? []).every((a) => a.status !== "failed")) failed += 1;
      }
    }
  }
}
const taskFailed = process.argv[2] !== undefined && process.argv[2] !== "0";
if (taskFailed && failed === 0) {
  console.log("a build, typecheck, lint or test task failed outside the test counts (see above)");
  failed += 1;
}
console.log(`reports: ${reports.length}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || taskFailed ? 1 : 0);
