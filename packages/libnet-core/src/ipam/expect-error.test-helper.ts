import { isNetdError } from "@netd/driverapi";
import type { NetdError } from "@netd/driverapi";
import { expect } from "vitest";

/** Runs `fn`, asserts it throws a NetdError with `code` (and `message`, when given) and returns it. */
export function expectNetdError(fn: () => unknown, code: string, message?: string | RegExp): NetdError {
  let caught: unknown = undefined;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isNetdError(caught), `expected a NetdError ${code}, got ${String(caught)}`).toBe(true);
  const error = caught as NetdError;
  expect(error.code).toBe(code);
  if (typeof message === "string") expect(error.message).toBe(message);
  else if (message) expect(error.message).toMatch(message);
  return error;
}
