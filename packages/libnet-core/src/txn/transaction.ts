/**
 * One API operation's store transaction (the crash-consistency mechanism, docs/reliability.md).
 *
 * 1. `begin` writes the operation's intent (kind "intent") before the first kernel change. The
 *    write is ordered but not fsynced: it must survive the daemon's death, not a reboot (a
 *    reboot wipes the kernel state it describes).
 * 2. The operation's steps stage core records and drivers' `ctx.state` writes here; reads see
 *    staged values first.
 * 3. `commit` applies everything staged plus the intent's deletion as ONE durable batch.
 * 4. `abandon` (the operation failed and undid itself) drops the staged ops and the intent.
 *
 * A daemon killed between 1 and 3 finds the intent at start and undoes or finishes the
 * operation (recover.ts).
 */
import { newId } from "../ids.js";
import type { ApplyOptions, Store, StoreKind, StoreOp } from "../store/store.js";
import type { Intent } from "./intent.js";

const keyOf = (kind: StoreKind, id: string): string => `${kind}\u0000${id}`;

export class Txn {
  /** Staged operations by key; the last write of a key wins, insertion order is kept. */
  private readonly staged = new Map<string, StoreOp>();
  private state: "open" | "committed" | "abandoned" = "open";
  private intentWritten = false;

  constructor(
    private readonly store: Store,
    /** The write-ahead record, or null for work that needs none (restore is idempotent). */
    readonly intent: Intent | null,
    readonly id: string = newId(),
  ) {}

  /** Writes the intent (not fsynced). Call before the operation's first kernel change. */
  async begin(): Promise<void> {
    if (!this.intent) return;
    await this.store.apply([{ op: "put", kind: "intent", id: this.id, value: { ...this.intent, at: Date.now() } }], { durable: false });
    this.intentWritten = true;
  }

  /** Stages operations for the commit. */
  stage(ops: readonly StoreOp[]): void {
    this.assertOpen();
    for (const op of ops) {
      const key = keyOf(op.kind, op.id);
      // Re-inserting moves the key to the end: the batch keeps the order of the last writes.
      this.staged.delete(key);
      this.staged.set(key, op);
    }
  }

  put(kind: StoreKind, id: string, value: unknown): void {
    this.stage([{ op: "put", kind, id, value: structuredClone(value) }]);
  }

  delete(kind: StoreKind, id: string): void {
    this.stage([{ op: "delete", kind, id }]);
  }

  /** The staged value, else the stored one; undefined when deleted or missing. */
  async get<T>(kind: StoreKind, id: string): Promise<T | undefined> {
    const op = this.staged.get(keyOf(kind, id));
    if (op) return op.op === "put" ? (structuredClone(op.value) as T) : undefined;
    return this.store.get<T>(kind, id);
  }

  /** Stored records of a kind with the staged writes applied. */
  async list<T>(kind: StoreKind): Promise<Array<{ id: string; value: T }>> {
    const merged = new Map<string, T>();
    for (const e of await this.store.list<T>(kind)) merged.set(e.id, e.value);
    for (const op of this.staged.values()) {
      if (op.kind !== kind) continue;
      if (op.op === "put") merged.set(op.id, structuredClone(op.value) as T);
      else merged.delete(op.id);
    }
    return [...merged].map(([id, value]) => ({ id, value }));
  }

  /** True once something is staged (a commit would write). */
  get dirty(): boolean {
    return this.staged.size > 0 || this.intentWritten;
  }

  /**
   * Applies the staged operations and the intent's deletion in one batch, durable unless
   * `durable` is false (see {@link ApplyOptions}: the next durable batch then covers it).
   */
  async commit(options: ApplyOptions = {}): Promise<void> {
    this.assertOpen();
    const ops = [...this.staged.values()];
    if (this.intentWritten) ops.push({ op: "delete", kind: "intent", id: this.id });
    if (ops.length > 0) await this.store.apply(ops, options);
    this.state = "committed";
  }

  /**
   * Drops what was staged; the intent goes too (not fsynced: if that write is lost, the
   * restart undoes an operation that was already undone, which is idempotent).
   */
  async abandon(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "abandoned";
    this.staged.clear();
    if (this.intentWritten) await this.store.apply([{ op: "delete", kind: "intent", id: this.id }], { durable: false });
  }

  private assertOpen(): void {
    if (this.state !== "open") throw new Error(`transaction ${this.id.slice(0, 12)} is already ${this.state}`);
  }
}
