/**
 * Runs an idempotent teardown step and, when it fails, runs it once more. Driver teardown
 * hooks (`leave`, `deleteNetwork`, `deleteEndpoint`) are idempotent by contract, so the second
 * run finishes what the first left, and one transient kernel failure does not leave kernel
 * objects behind that the store no longer knows. The second failure is thrown.
 */
import type { Logger } from "@netd/driverapi";

export async function retryOnce<T>(log: Logger, what: string, fields: Record<string, unknown>, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (first) {
    log.warn(`${what} failed; trying once more`, { ...fields, error: String(first) });
    return step();
  }
}
