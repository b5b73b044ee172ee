/**
 * The daemon's embedded store (libnet-core's Store on disk, DESIGN.md §5): an append-only
 * log of JSON lines, one line per batch, fsynced before a durable `apply` resolves, replayed
 * over the snapshot at open and compacted into a new snapshot every `compactAfter` records.
 *
 * Group commit: batches applied while a write is in flight are written together by the next
 * write, with one fdatasync for all of them (when any of them is durable). A non-durable batch
 * (an operation's intent) is written in order but not fsynced: it survives the daemon's death,
 * which is all it must survive.
 *
 * Crash safety: a batch is one line, so it is in the log completely or not at all (a torn
 * last line is dropped at open). Compaction writes the snapshot atomically first and then
 * empties the log; records the snapshot already holds (seq ≤ snapshot.seq) are skipped, so a
 * crash between the two steps loses nothing. Work per change is O(size of the batch); the
 * O(state) compaction runs once per `compactAfter` changes.
 */
import { open, readFile } from "node:fs/promises";
import { mkdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { NetdError } from "@netd/driverapi";
import type { ApplyOptions, Store, StoreKind, StoreOp } from "@netd/libnet-core";
import { encodeRecord, parseLog } from "./log-records.js";
import { readSnapshot, removeSnapshotTemp, syncDir, writeSnapshot } from "./snapshot.js";
import { CURRENT_SCHEMA_VERSION, MIGRATIONS, migrate } from "./schema-version.js";
import type { Migrations, StoreData } from "./schema-version.js";

export const LOG_FILE = "state.log";

/** Options of {@link openLogStore}. */
export interface LogStoreOptions {
  /** Directory holding the snapshot and the log (netd's --data-dir). Created if missing. */
  readonly dir: string;
  /** Records in the log that trigger a compaction; default 1000. */
  readonly compactAfter?: number;
  /** Schema version this build writes; default {@link CURRENT_SCHEMA_VERSION} (tests override). */
  readonly version?: number;
  /** Migrations by starting version; default netd's {@link MIGRATIONS}. */
  readonly migrations?: Migrations;
}

/** The Store plus what the daemon and tests need to observe. */
export interface LogStore extends Store {
  /** Records currently in the log (0 right after a compaction). */
  logLength(): number;
  /** Folds the log into a new snapshot now. */
  compact(): Promise<void>;
  /** Everything, for tests and `netd cleanup`: kind → id → value. */
  dump(): StoreData;
}

const KIND = /^(network|endpoint|sandbox|meta|intent|driver:.+)$/;

/** A batch waiting for the next write. */
interface Pending {
  readonly ops: StoreOp[];
  readonly durable: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/** Opens (or creates) the store in `options.dir`: snapshot, log replay, migration, torn-tail repair. */
export async function openLogStore(options: LogStoreOptions): Promise<LogStore> {
  const { dir } = options;
  const version = options.version ?? CURRENT_SCHEMA_VERSION;
  const compactAfter = options.compactAfter ?? 1000;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await removeSnapshotTemp(dir);
  const logPath = join(dir, LOG_FILE);
  const snap = await readSnapshot(dir);
  const logBuf = await readFile(logPath).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return Buffer.alloc(0);
    throw e;
  });
  if (!snap && logBuf.length > 0) {
    throw new NetdError({ code: "STORE_CORRUPT", category: "internal", message: `store log ${logPath} exists without its snapshot`, hint: "restore the data dir from a backup, or run `netd cleanup` and start afresh" });
  }
  let data: StoreData = snap?.data ?? {};
  let seq = snap?.seq ?? 0;
  const parsed = parseLog(logBuf, logPath);
  let inLog = 0;
  for (const r of parsed.records) {
    if (r.seq <= seq) continue;
    applyToData(data, r.ops);
    seq = r.seq;
    inLog++;
  }
  const mem = toMemory(data);
  const fh = await open(logPath, "a+", 0o600);
  let size = parsed.validBytes;
  if (parsed.tornTail) {
    await fh.truncate(size);
    await fh.sync();
  }
  let broken: Error | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const compactNow = async (): Promise<void> => {
    await writeSnapshot(dir, { version, seq, data: fromMemory(mem) });
    // The snapshot now holds every record; an old log left by a crash here is skipped by seq.
    await fh.truncate(0);
    await fh.sync();
    size = 0;
    inLog = 0;
  };

  if (!snap) {
    await writeSnapshot(dir, { version, seq: 0, data: {} });
  } else if (snap.version !== version) {
    data = migrate(fromMemory(mem), snap.version, version, options.migrations ?? MIGRATIONS, dir);
    mem.clear();
    for (const [k, v] of toMemory(data)) mem.set(k, v);
    await compactNow();
  }
  await syncDir(dir);

  let pending: Pending[] = [];
  let flushing = false;

  /** Writes every pending batch, one line each, in one write and at most one fdatasync. */
  const writePending = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (broken) {
      for (const p of batch) p.reject(broken);
      return;
    }
    const text = batch.map((p, i) => encodeRecord({ seq: seq + 1 + i, ops: p.ops })).join("");
    const bytes = Buffer.from(text, "utf8");
    try {
      // A few hundred bytes into the page cache: the write returns at once, so it runs on this
      // thread instead of costing a pool hand-off (an attach writes 3–4 records). Only the
      // fdatasync, which waits for the disk, goes to the pool.
      const written = writeSync(fh.fd, bytes, 0, bytes.length, size);
      if (written !== bytes.length) throw Object.assign(new Error(`short write: ${written} of ${bytes.length} bytes (disk full?)`), { code: "ENOSPC" });
      if (batch.some((p) => p.durable)) await fh.datasync();
    } catch (e) {
      // Take the partial lines back so the next record does not start in their middle.
      try {
        await fh.truncate(size);
        await fh.sync();
      } catch {
        broken = new NetdError({ code: "STORE_BROKEN", category: "internal", message: `store log ${logPath} could not be repaired after a failed write`, hint: "restart netd", cause: e });
      }
      const error = new NetdError({ code: "STORE_WRITE_FAILED", category: "internal", message: `writing the store log ${logPath} failed: ${e instanceof Error ? e.message : String(e)}`, hint: "check free space and permissions of the data dir", cause: e });
      for (const p of batch) p.reject(error);
      return;
    }
    size += bytes.length;
    seq += batch.length;
    inLog += batch.length;
    for (const p of batch) for (const op of p.ops) applyToMemory(mem, op);
    for (const p of batch) p.resolve();
    if (inLog >= compactAfter) await compactNow();
  };

  const flush = async (): Promise<void> => {
    try {
      while (pending.length > 0) await writePending();
    } finally {
      flushing = false;
    }
  };

  const store: LogStore = {
    apply(ops: readonly StoreOp[], options?: ApplyOptions) {
      let checked: StoreOp[];
      try {
        if (broken) throw broken;
        checked = checkOps(ops);
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      if (checked.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending.push({ ops: checked, durable: options?.durable !== false, resolve, reject });
        if (!flushing) {
          flushing = true;
          void serial(flush);
        }
      });
    },
    get<T>(kind: StoreKind, id: string) {
      const raw = mem.get(kind)?.get(id);
      return Promise.resolve(raw === undefined ? undefined : (JSON.parse(raw) as T));
    },
    list<T>(kind: StoreKind) {
      const b = mem.get(kind);
      return Promise.resolve(b ? [...b].map(([id, raw]) => ({ id, value: JSON.parse(raw) as T })) : []);
    },
    close() {
      return serial(() => fh.close());
    },
    logLength: () => inLog,
    compact: () => serial(compactNow),
    dump: () => fromMemory(mem),
  };
  return store;
}

/** Validates a batch and serialises its values first, so a bad batch changes nothing. */
function checkOps(ops: readonly StoreOp[]): StoreOp[] {
  if (!Array.isArray(ops)) throw invalid(`store batch must be a list, got ${typeof ops}`);
  return ops.map((op: StoreOp, i) => {
    if (op?.op !== "put" && op?.op !== "delete") throw invalid(`store op ${i} has op ${JSON.stringify((op as { op?: unknown })?.op)}; use "put" or "delete"`);
    if (typeof op.kind !== "string" || !KIND.test(op.kind)) throw invalid(`store op ${i} has kind ${JSON.stringify(op.kind)}`);
    if (typeof op.id !== "string" || op.id.length === 0) throw invalid(`store op ${i} has id ${JSON.stringify(op.id)}`);
    if (op.op === "delete") return { op: "delete", kind: op.kind, id: op.id };
    const json = JSON.stringify(op.value);
    if (json === undefined) throw invalid(`store op ${i} (${op.kind}/${op.id}) has a value that is not JSON`);
    return { op: "put", kind: op.kind, id: op.id, value: JSON.parse(json) as unknown };
  });
}

function invalid(message: string): NetdError {
  return new NetdError({ code: "INVALID_ARGUMENT", category: "internal", message, hint: "this is a bug in the caller of the store" });
}

type Memory = Map<string, Map<string, string>>;

function applyToMemory(mem: Memory, op: StoreOp): void {
  if (op.op === "delete") {
    mem.get(op.kind)?.delete(op.id);
    return;
  }
  let b = mem.get(op.kind);
  if (!b) mem.set(op.kind, (b = new Map<string, string>()));
  b.set(op.id, JSON.stringify(op.value));
}

function applyToData(data: StoreData, ops: readonly StoreOp[]): void {
  for (const op of ops) {
    if (op.op === "delete") {
      if (data[op.kind]) delete data[op.kind]![op.id];
    } else {
      (data[op.kind] ??= {})[op.id] = op.value;
    }
  }
}

function toMemory(data: StoreData): Memory {
  const mem: Memory = new Map();
  for (const [kind, records] of Object.entries(data)) mem.set(kind, new Map<string, string>(Object.entries(records).map(([id, v]): [string, string] => [id, JSON.stringify(v)])));
  return mem;
}

function fromMemory(mem: Memory): StoreData {
  const out: StoreData = {};
  for (const [kind, b] of mem) if (b.size > 0) out[kind] = Object.fromEntries([...b].map(([id, raw]) => [id, JSON.parse(raw) as unknown]));
  return out;
}
