/** A DriverContext for integration tests that call the driver directly (no core): memory state, a collecting logger. */
import type { DriverContext, DriverStateStore, Kernel } from "@netd/driverapi";

export function memoryState(): DriverStateStore {
  const data = new Map<string, unknown>();
  return {
    get: <T>(k: string) => Promise.resolve(data.get(k) as T | undefined),
    put: (k, v) => Promise.resolve(void data.set(k, structuredClone(v))),
    delete: (k) => Promise.resolve(void data.delete(k)),
    list: <T>(prefix: string) => Promise.resolve([...data].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value: value as T }))),
  };
}

export function context(kernel: Kernel, hostNetns: string): DriverContext {
  return { kernel, hostNetns, log: { debug() {}, info() {}, warn() {}, error() {} }, state: memoryState() };
}
