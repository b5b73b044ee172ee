/** Argument checks shared by the controller's steps; each throws INVALID_ARGUMENT naming the value. */
import { coreError } from "./errors.js";
import { NAME_PATTERN } from "./ids.js";

export function checkName(kind: string, name: unknown): string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw coreError("INVALID_ARGUMENT", `invalid ${kind} name ${JSON.stringify(name)}`, "use 1-128 characters [a-zA-Z0-9_.-], starting with a letter or digit", { name });
  }
  return name;
}

export function checkStringMap(what: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw coreError("INVALID_ARGUMENT", `${what} must be an object of strings, got ${JSON.stringify(value)}`, `pass ${what} as { "key": "value" }`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") {
      throw coreError("INVALID_ARGUMENT", `${what} '${k}' must be a string, got ${JSON.stringify(v)}`, `quote the value of '${k}'`);
    }
    out[k] = v;
  }
  return out;
}

export function checkBoolean(what: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw coreError("INVALID_ARGUMENT", `${what} must be true or false, got ${JSON.stringify(value)}`, `set ${what} to true or false`);
  }
  return value;
}

export function checkInteger(what: string, value: unknown, fallback: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw coreError("INVALID_ARGUMENT", `${what} must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}`, `pass a whole number for ${what}`);
  }
  return value;
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function checkMac(value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || !MAC.test(value)) {
    throw coreError("INVALID_ARGUMENT", `invalid MAC address ${JSON.stringify(value)}`, "use six colon-separated hex bytes, e.g. 02:42:ac:11:00:02");
  }
  const lower = value.toLowerCase();
  if (parseInt(lower.slice(0, 2), 16) & 1) {
    throw coreError("INVALID_ARGUMENT", `MAC address ${value} is a multicast address`, "use a unicast MAC (the lowest bit of the first byte clear)");
  }
  return lower;
}
