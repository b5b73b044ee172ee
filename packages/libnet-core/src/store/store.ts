/**
 * The persistence contract of libnet-core. The daemon provides a crash-safe on-disk
 * implementation; {@link createMemoryStore} serves tests and embedders without persistence.
 *
 * Records are JSON values grouped by kind: "network", "endpoint", "sandbox", "meta"
 * (controller settings that must survive restarts, e.g. the IPv6 ULA prefix), "intent" (an
 * operation that started and has not committed: its write-ahead record) and "driver:<name>"
 * for each driver's own state. Each change is one {@link Store.apply} call whose operations
 * take effect together or not at all.
 */
export type StoreKind = "network" | "endpoint" | "sandbox" | "meta" | "intent" | `driver:${string}`;

/** How an {@link Store.apply} must be persisted. */
export interface ApplyOptions {
  /**
   * true (default): durable when apply resolves (fsync). false: written in order with every
   * other batch so that it survives the daemon's own death (page cache), but not a machine
   * crash — enough for intents, which describe kernel state a reboot wipes anyway. Batches
   * are persisted in order: once a later durable batch resolves, this one is durable too.
   */
  readonly durable?: boolean;
}

/** One change inside an atomic batch. */
export type StoreOp =
  | { readonly op: "put"; readonly kind: StoreKind; readonly id: string; readonly value: unknown }
  | { readonly op: "delete"; readonly kind: StoreKind; readonly id: string };

export interface Store {
  /**
   * Applies every operation atomically, in order, after every batch applied before it.
   * Deleting a missing id is fine. Concurrent durable batches may share one fsync.
   */
  apply(ops: readonly StoreOp[], options?: ApplyOptions): Promise<void>;
  /** The record, or undefined. */
  get<T = unknown>(kind: StoreKind, id: string): Promise<T | undefined>;
  /** Every record of a kind, in no particular order. */
  list<T = unknown>(kind: StoreKind): Promise<Array<{ id: string; value: T }>>;
  /** Flushes and releases resources; the store is not used afterwards. */
  close(): Promise<void>;
}
