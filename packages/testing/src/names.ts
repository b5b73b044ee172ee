import { randomBytes } from "node:crypto";

/** Prefix of every test env: "nt" + 6 hex chars, 8 chars in all. */
export const PREFIX_PATTERN = /^nt[0-9a-f]{6}$/;

const SHORT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,15}$/i;

/** A fresh random prefix such as "nt3f9a2c". Called once per env. */
export function makePrefix(): string {
  return `nt${randomBytes(3).toString("hex")}`;
}

/**
 * The namespace name for `short` in the env `prefix`: `${prefix}-${short}`. `short` is 1–16
 * letters, digits, '_' or '-' (starting with a letter or digit), so the name is safe in argv,
 * in paths and in messages.
 */
export function netnsName(prefix: string, short: string): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`'${prefix}' is not a test prefix (nt + 6 hex chars)`);
  if (!SHORT_PATTERN.test(short)) {
    throw new Error(`netns short name '${short}' is invalid; use 1-16 letters, digits, '_' or '-'`);
  }
  return `${prefix}-${short}`;
}

/** Directory where `ip netns` keeps its bind mounts. */
export const NETNS_DIR = "/run/netns";

/**
 * The bare namespace name of `nameOrPath` ("x" or "/run/netns/x"). Throws for other paths:
 * the harness only deletes namespaces that `ip netns` knows by name.
 */
export function netnsNameOf(nameOrPath: string): string {
  const name = nameOrPath.startsWith(`${NETNS_DIR}/`) ? nameOrPath.slice(NETNS_DIR.length + 1) : nameOrPath;
  if (name.length === 0 || name.includes("/") || name === "." || name === "..") {
    throw new Error(`'${nameOrPath}' is not a namespace name or a ${NETNS_DIR}/NAME path`);
  }
  return name;
}
