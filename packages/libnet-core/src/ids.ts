import { randomBytes } from "node:crypto";
import { coreError } from "./errors.js";
import type { CoreErrorCode } from "./errors.js";

/** A Docker-style id: 64 lower-case hex characters. */
export function newId(): string {
  return randomBytes(32).toString("hex");
}

/** Names of networks and sandboxes follow Docker's rule. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/**
 * Finds an object by exact id, then exact name, then unique id prefix (Docker's order).
 * Throws `notFound` or AMBIGUOUS_REFERENCE naming the reference.
 */
export function lookup<T extends { id: string; name: string }>(
  items: ReadonlyMap<string, T>,
  ref: string,
  kind: string,
  notFound: CoreErrorCode,
): T {
  // The exact id is the common case (every internal call): answered without a scan.
  const byId = items.get(ref);
  if (byId) return byId;
  const all = [...items.values()];
  const byName = all.find((i) => i.name === ref);
  if (byName) return byName;
  const byPrefix = ref.length > 0 && /^[0-9a-f]+$/.test(ref) ? all.filter((i) => i.id.startsWith(ref)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) {
    throw coreError("AMBIGUOUS_REFERENCE", `${kind} reference '${ref}' matches ${byPrefix.length} ${kind}s`, "use a longer id prefix or the name", { ref });
  }
  throw coreError(notFound, `${kind} '${ref}' not found`, `list the ${kind === "sandbox" ? "sandboxes" : `${kind}s`} to see what exists`, { ref });
}
