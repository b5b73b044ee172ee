#!/usr/bin/env node
// netd-vm-test: runs every package's test/vm/**/*.vm.test.ts inside a qemu guest booting
// Debian's kernel (see packages/testing/README.md). Exit status 1 on any failure.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { runVmTests } from "./runner.js";

function repoRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${start}: run netd-vm-test inside the netd repo`);
  }
}

const root = repoRoot(process.argv[2] ?? process.cwd());
const summary = await runVmTests(root, (text) => process.stdout.write(text));
const secs = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);
console.log(
  `netd-vm: ${summary.packages.length} package(s) [${summary.packages.map((p) => p.id).join(", ")}]; ` +
    `setup ${secs(summary.setupMs)} (${summary.setupCold ? "cold" : "cached"}), ` +
    `guest ready at ${summary.bootSeconds ?? "-"} s uptime, guest wall ${secs(summary.guestWallMs)}`,
);
for (const problem of summary.problems) console.log(`netd-vm: FAILED: ${problem}`);
console.log(`netd-vm: ${summary.passed} passed, ${summary.failed} failed`);
process.exitCode = summary.failed > 0 ? 1 : 0;
