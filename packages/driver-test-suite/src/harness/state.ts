/**
 * The driver's state store as core gives it: writes of a hook are staged and become durable
 * only when the operation succeeds; a failed (rolled-back) operation or a crash discards them.
 */
import type { DriverStateStore } from "@netd/driverapi";

/** One operation's view of the store. */
export interface StagedState {
  readonly store: DriverStateStore;
  /** Makes the staged writes durable. */
  commit(): void;
}

/** Durable data plus a way to open an operation on it. */
export class StateBackend {
  private readonly durable = new Map<string, unknown>();

  /** A new operation: reads see durable data overlaid with this operation's own writes. */
  begin(): StagedState {
    const staged = new Map<string, { value: unknown } | typeof DELETED>();
    const view = (): Map<string, unknown> => {
      const all = new Map(this.durable);
      for (const [k, v] of staged) {
        if (v === DELETED) all.delete(k);
        else all.set(k, v.value);
      }
      return all;
    };
    const store: DriverStateStore = {
      get: <T>(key: string) => Promise.resolve(clone(view().get(key)) as T | undefined),
      put: (key, value) => Promise.resolve(void staged.set(key, { value: clone(value) })),
      delete: (key) => Promise.resolve(void staged.set(key, DELETED)),
      list: <T>(prefix: string) =>
        Promise.resolve(
          [...view()].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value: clone(value) as T })),
        ),
    };
    return {
      store,
      commit: () => {
        for (const [k, v] of staged) {
          if (v === DELETED) this.durable.delete(k);
          else this.durable.set(k, v.value);
        }
        staged.clear();
      },
    };
  }
}

const DELETED = Symbol("deleted");

function clone(value: unknown): unknown {
  return value === undefined ? undefined : structuredClone(value);
}
