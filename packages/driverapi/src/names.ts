/**
 * The one rule for interface names that reach the kernel, shared by the Kernel
 * implementations and by drivers validating user options (endpoint `ifname`, bridge names,
 * prefixes), so a name is refused before anything is changed, with one wording.
 *
 * Stricter than the kernel's dev_valid_name on purpose: the kernel also accepts '%' (it
 * expands "eth%d" into the first free number, so the device would get another name than
 * the one netd records), control and non-ASCII characters, and shell metacharacters, which
 * then reach logs, `ip` output and nft text; "all" and "default" collide with the per-
 * namespace sysctl directories /proc/sys/net/*\/conf/{all,default}.
 */

/** Longest interface name in bytes (IFNAMSIZ 16 minus the terminating NUL). */
export const IFNAME_MAX_BYTES = 15;

/** What an interface name may contain, for hints. */
export const IFNAME_RULE = "use 1-15 characters from letters, digits, '_', '.' and '-', starting with a letter or digit, not 'all' or 'default'";

const ALLOWED = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const RESERVED = new Set(["all", "default"]);

/** Why `name` cannot be an interface name, or null when it can. */
export function interfaceNameProblem(name: unknown): string | null {
  if (typeof name !== "string") return "is not a string";
  if (name.length === 0) return "is empty";
  const bad = [...name].find((c) => !/[A-Za-z0-9_.-]/.test(c));
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}`;
  // Only ASCII is left, so characters are bytes.
  if (name.length > IFNAME_MAX_BYTES) return `is longer than ${IFNAME_MAX_BYTES} bytes`;
  if (!ALLOWED.test(name)) return "does not start with a letter or digit";
  if (RESERVED.has(name)) return "is reserved (a sysctl directory of every namespace)";
  return null;
}

/** True when `name` passes {@link interfaceNameProblem}. */
export function isValidInterfaceName(name: unknown): name is string {
  return interfaceNameProblem(name) === null;
}
