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
