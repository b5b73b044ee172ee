import { defineConfig } from "vitest/config";

// Tests run on TypeScript sources through the "@netd/source" export condition, so a
// unit test never needs a prior build of its dependencies.
const conditions = ["@netd/source", "module", "node", "import", "default"];

/** Unit tier: colocated src/**\/*.test.ts, no root, no kernel. */
export function unitConfig() {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@netd/source"] } },
    test: {
      include: ["src/**/*.test.ts", "test/unit/**/*.test.ts"],
      // Tests assert outcomes, never time; CI runs many tasks at once on 2 cores.
      testTimeout: 30_000,
      reporters: ["default", "json"],
      outputFile: { json: ".cache/vitest-unit.json" },
    },
  });
}

/**
 * Integration tier: test/int/**\/*.int.test.ts, root, real namespaces. It never
 * skips: a missing privilege fails the run (see packages/testing `requireRoot`).
 */
export function integrationConfig() {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@netd/source"] } },
    test: {
      include: ["test/int/**/*.int.test.ts"],
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      reporters: ["default", "json"],
      outputFile: { json: ".cache/vitest-int.json" },
    },
  });
}

/**
 * Real-kernel tier: test/vm/**\/*.vm.test.ts, run only inside the qemu guest of
 * @netd/testing's `netd-vm-test` (which passes --outputFile.json to collect the report).
 * Loading it anywhere else throws, so these tests never run (or pass) on the host kernel.
 */
export function vmConfig() {
  if (process.env.NETD_VM_GUEST !== "1") {
    throw new Error("VM tests run inside the qemu guest: run `pnpm --filter @netd/testing run test:vm`, not vitest directly");
  }
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@netd/source"] } },
    // The repo is an overlay in the guest; keep vite's cache on the guest's tmpfs anyway.
    cacheDir: "/tmp/netd-vm-vite",
    test: {
      include: ["test/vm/**/*.vm.test.ts"],
      fileParallelism: false,
      // Software emulation (TCG) is 5-20x slower than the host.
      testTimeout: 180_000,
      hookTimeout: 180_000,
      reporters: ["default", "json"],
      outputFile: { json: ".cache/vitest-vm.json" },
    },
  });
}
