import { afterEach, beforeEach } from "vitest";
import { createTestEnv } from "./env.js";
import { requireRoot } from "./require-root.js";
import type { TestEnv } from "./types.js";

/**
 * Vitest helper: `const env = useTestEnv();` at describe level registers beforeEach
 * (requireRoot + create) and afterEach (cleanup, then assertNoLeftovers — also when the test
 * failed). Returns a getter: `env()` gives the current test's TestEnv and throws outside a test.
 */
export function useTestEnv(label?: string): () => TestEnv {
  let current: TestEnv | undefined;
  beforeEach(async () => {
    requireRoot();
    current = await createTestEnv(label);
  });
  afterEach(async () => {
    const env = current;
    current = undefined;
    if (!env) return;
    // Both always run; when both fail, one error names both problems instead of hiding the first.
    const failures: string[] = [];
    await env.cleanup().catch((err: unknown) => failures.push(err instanceof Error ? err.message : String(err)));
    await env.assertNoLeftovers().catch((err: unknown) => failures.push(err instanceof Error ? err.message : String(err)));
    if (failures.length > 0) throw new Error(failures.join("\n"));
  });
  return () => {
    if (!current) throw new Error("useTestEnv(): env() was called outside a test (or requireRoot failed)");
    return current;
  };
}
