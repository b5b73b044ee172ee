/** Which names the DNS service can serve. */
import { dnsError } from "../errors.js";

// Letters, digits, '-' and '_' (container names use '_'; resolvers accept it in queries),
// not starting or ending with '-'.
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** True when `name` (without a trailing dot) is a DNS name netd can answer for. */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split(".").every((label) => LABEL.test(label));
}

/** Throws INVALID_DNS_NAME naming `what` when an alias cannot be served; called at connect before anything changes. */
export function checkAlias(alias: string): void {
  if (isDnsName(alias)) return;
  throw dnsError(
    "INVALID_DNS_NAME",
    `alias ${JSON.stringify(alias)} is not a valid DNS name`,
    "use labels of 1-63 letters, digits, '-' or '_' separated by dots (253 characters at most), not starting or ending with '-'",
    { alias },
  );
}

/** The key a name is stored and looked up under: lower case, no trailing dot. */
export function nameKey(name: string): string {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  return trimmed.toLowerCase();
}
