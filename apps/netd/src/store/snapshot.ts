/**
 * The snapshot file: the store's whole content at log sequence `seq`, written atomically
 * (temp file, fsync, rename, fsync of the directory) so a crash leaves the old or the new
 * snapshot, never a mix.
 */
import { open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { NetdError } from "@netd/driverapi";
import type { StoreData } from "./schema-version.js";

export const SNAPSHOT_FILE = "state.snapshot.json";
const FORMAT = "netd-store";

/** What a snapshot holds. `seq` is the last log record folded into `data` (0: none). */
export interface Snapshot {
  readonly version: number;
  readonly seq: number;
  readonly data: StoreData;
}

/** Reads the snapshot of `dir`, or null when there is none yet. A damaged file throws. */
export async function readSnapshot(dir: string): Promise<Snapshot | null> {
  const path = join(dir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw corrupt(path, e instanceof Error ? e.message : String(e));
  }
  const s = parsed as { format?: unknown; version?: unknown; seq?: unknown; data?: unknown };
  if (s?.format !== FORMAT || typeof s.version !== "number" || typeof s.seq !== "number" || typeof s.data !== "object" || s.data === null) {
    throw corrupt(path, "missing format, version, seq or data");
  }
  return { version: s.version, seq: s.seq, data: s.data as StoreData };
}

/** Replaces the snapshot of `dir` atomically and durably. */
export async function writeSnapshot(dir: string, snapshot: Snapshot): Promise<void> {
  const path = join(dir, SNAPSHOT_FILE);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(JSON.stringify({ format: FORMAT, version: snapshot.version, seq: snapshot.seq, data: snapshot.data }));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dir);
}

/** Removes a temp file left by a crash during {@link writeSnapshot}. */
export async function removeSnapshotTemp(dir: string): Promise<void> {
  await rm(join(dir, `${SNAPSHOT_FILE}.tmp`), { force: true });
}

/** fsync of a directory, so a rename or a new file survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function corrupt(path: string, why: string): NetdError {
  return new NetdError({
    code: "STORE_CORRUPT",
    category: "internal",
    message: `store snapshot ${path} is unreadable: ${why}`,
    hint: "restore the data dir from a backup, or run `netd cleanup` and start afresh",
  });
}
