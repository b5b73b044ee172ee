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
    try {
      await env.cleanup();
    } finally {
      await env.assertNoLeftovers();
    }
  });
  return () => {
    if (!current) throw new Error("useTestEnv(): env() was called outside a test (or requireRoot failed)");
    return current;
  };
}
