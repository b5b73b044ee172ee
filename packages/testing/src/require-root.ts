import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const PATH_FALLBACK = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/** The absolute path of executable `name` on PATH (plus the sbin dirs), or null. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...PATH_FALLBACK];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Throws (test fails, never skips) unless running as root with `ip` and `nft` available.
 * Called first in every integration test, by {@link useTestEnv} or by hand.
 */
export function requireRoot(): void {
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new Error(
      `integration tests need root (uid 0), but uid is ${uid ?? "unknown"}; run them with sudo or in the root CI job (they never skip)`,
    );
  }
  const missing = ["ip", "nft"].filter((tool) => findExecutable(tool) === null);
  if (missing.length > 0) {
    throw new Error(`integration tests need ${missing.join(" and ")} on PATH; install iproute2 and nftables`);
  }
}
