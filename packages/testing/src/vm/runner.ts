import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNativeAddons, walk } from "./closure.js";
import { VmSetupError } from "./errors.js";
import { ensureInitramfs } from "./initramfs.js";
import { ensureKernel } from "./kernel.js";
import { collectReport, type VitestReport } from "./reports.js";
import { runGuest } from "./run-guest.js";

/** A package with real-kernel tests: test/vm/**\/*.vm.test.ts and a vitest.vm.config.ts. */
export interface VmPackage {
  /** "packages/testing". */
  readonly id: string;
  readonly dir: string;
}

/** Totals and timings of one {@link runVmTests} call. */
export interface VmRunSummary {
  readonly packages: readonly VmPackage[];
  readonly passed: number;
  readonly failed: number;
  readonly problems: readonly string[];
  /** Kernel + initramfs (download and build when cold, cache lookups otherwise). */
  readonly setupMs: number;
  readonly setupCold: boolean;
  readonly bootSeconds?: number;
  readonly guestWallMs?: number;
}

/**
 * Packages under packages/ and apps/ of `root` that have VM tests; `NETD_VM_ONLY` (ids such as
 * "apps/netd,packages/driver-ipvlan") narrows the run while working on one package.
 */
export function findVmPackages(root: string): VmPackage[] {
  const only = (process.env["NETD_VM_ONLY"] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const found: VmPackage[] = [];
  for (const group of ["packages", "apps"]) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, name);
      const id = `${group}/${name}`;
      if (only.length > 0 && !only.includes(id)) continue;
      if (walk(join(dir, "test", "vm")).some((f) => f.endsWith(".vm.test.ts"))) found.push({ id, dir });
    }
  }
  return found;
}

/**
 * Runs every package's VM tests in ONE guest boot and stores each package's vitest report as
 * <pkg>/.cache/vitest-vm.json. Setup failures (no qemu, no kernel) and missing reports are
 * reported as failures in those files, never as skips. The serial console goes to `log`
 * and to packages/testing/.cache/vm-console.log.
 */
export async function runVmTests(root: string, log: (text: string) => void): Promise<VmRunSummary> {
  const packages = findVmPackages(root);
  const targets = packages.map((p) => join(p.dir, ".cache", "vitest-vm.json"));
  targets.forEach((t) => rmSync(t, { force: true }));
  const setupStart = Date.now();
  let kernel, image;
  try {
    for (const p of packages) {
      if (!existsSync(join(p.dir, "vitest.vm.config.ts"))) {
        throw new VmSetupError("VM_CONFIG_MISSING", `${p.id} has VM tests but no vitest.vm.config.ts (export vmConfig() of @netd/vitest-config)`);
      }
    }
    kernel = await ensureKernel();
    image = await ensureInitramfs(kernel, findNativeAddons(root));
  } catch (err) {
    const message = `VM setup failed: ${(err as Error).message}`;
    packages.forEach((p, i) => collectReport(join(tmpdir(), "netd-vm-none.json"), targets[i]!, undefined, message));
    return { packages, passed: 0, failed: Math.max(packages.length, 1), problems: [message], setupMs: Date.now() - setupStart, setupCold: true };
  }
  const setupMs = Date.now() - setupStart;
  if (packages.length === 0) return { packages, passed: 0, failed: 0, problems: [], setupMs, setupCold: image.built };

  const out = mkdtempSync(join(tmpdir(), "netd-vm-out-"));
  try {
    const plan = [root, process.execPath, ...packages.map((p, i) => `${i} ${p.dir}`)];
    writeFileSync(join(out, "plan"), plan.join("\n") + "\n");
    const guest = await runGuest({ vmlinuz: kernel.vmlinuz, initrd: image.path, repo: root, out, onOutput: log });
    mkdirSync(join(root, "packages", "testing", ".cache"), { recursive: true });
    writeFileSync(join(root, "packages", "testing", ".cache", "vm-console.log"), guest.console);
    const why = guest.completed
      ? "vitest wrote none (see packages/testing/.cache/vm-console.log)"
      : guest.killed !== undefined
        ? `${guest.killed}; see packages/testing/.cache/vm-console.log`
        : "the guest stopped before the end of /init (panic or crash; see packages/testing/.cache/vm-console.log)";
    const problems: string[] = [];
    let passed = 0;
    let failed = 0;
    packages.forEach((p, i) => {
      const found = collectReport(join(out, `${i}.json`), targets[i]!, guest.exits.get(String(i)), why);
      problems.push(...found.map((m) => `${p.id}: ${m}`));
      const report = JSON.parse(readFileSync(targets[i]!, "utf8")) as VitestReport;
      passed += report.numPassedTests;
      failed += report.numFailedTests + found.length;
    });
    return { packages, passed, failed, problems, setupMs, setupCold: image.built, guestWallMs: guest.wallMs, ...(guest.bootSeconds === undefined ? {} : { bootSeconds: guest.bootSeconds }) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
