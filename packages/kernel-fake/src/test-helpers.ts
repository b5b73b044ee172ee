import { isNetdError, type NetdError } from "@netd/driverapi";
import { expect } from "vitest";

/** Awaits `promise`, expects a NetdError with `code` (and category), and returns it. */
export async function expectCode(promise: Promise<unknown>, code: string, category?: string): Promise<NetdError> {
  let caught: unknown = undefined;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(isNetdError(caught), `expected NetdError ${code}, got ${String(caught)}`).toBe(true);
  const err = caught as NetdError;
  expect(err.code, err.message).toBe(code);
  if (category !== undefined) expect(err.category).toBe(category);
  return err;
}
