import type { Store, StoreKind, StoreOp } from "./store.js";

/** An in-memory Store that deep-copies values so callers cannot alias stored state. */
export interface MemoryStore extends Store {
  /** A deep copy of everything, for assertions: kind → id → value. */
  dump(): Record<string, Record<string, unknown>>;
  /** Makes the next apply() throw `error` without changing anything (tests of rollback). */
  failNextApply(error: Error): void;
}

export function createMemoryStore(): MemoryStore {
  const data = new Map<StoreKind, Map<string, string>>();
  let nextFailure: Error | null = null;
  const bucket = (kind: StoreKind): Map<string, string> => {
    let b = data.get(kind);
    if (!b) data.set(kind, (b = new Map<string, string>()));
    return b;
  };
  return {
    apply(ops: readonly StoreOp[]) {
      if (nextFailure) {
        const e = nextFailure;
        nextFailure = null;
        return Promise.reject(e);
      }
      // Serialise first so that a value that cannot be stored changes nothing.
      const encoded = ops.map((op) => (op.op === "put" ? { ...op, json: JSON.stringify(op.value) } : op));
      for (const op of encoded) {
        if (op.op === "put") bucket(op.kind).set(op.id, (op as { json: string }).json);
        else bucket(op.kind).delete(op.id);
      }
      return Promise.resolve();
    },
    get<T>(kind: StoreKind, id: string) {
      const raw = data.get(kind)?.get(id);
      return Promise.resolve(raw === undefined ? undefined : (JSON.parse(raw) as T));
    },
    list<T>(kind: StoreKind) {
      const b = data.get(kind);
      return Promise.resolve(b ? [...b].map(([id, raw]) => ({ id, value: JSON.parse(raw) as T })) : []);
    },
    close() {
      return Promise.resolve();
    },
    dump() {
      const out: Record<string, Record<string, unknown>> = {};
      for (const [kind, b] of data) {
        if (b.size === 0) continue;
        out[kind] = Object.fromEntries([...b].sort(([a], [c]) => a.localeCompare(c)).map(([id, raw]) => [id, JSON.parse(raw) as unknown]));
      }
      return out;
    },
    failNextApply(error: Error) {
      nextFailure = error;
    },
  };
}
