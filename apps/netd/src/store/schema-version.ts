/**
 * The version of the store's record layout and the migrations between versions. A store
 * written by an older netd is migrated at open (then compacted, so the snapshot records the
 * new version); a store written by a newer netd is refused rather than misread.
 */
import { NetdError } from "@netd/driverapi";

/** The layout this build writes. Bump it together with a migration from the previous version. */
export const CURRENT_SCHEMA_VERSION = 1;

/** Every record by kind, then id: the store's whole content as plain JSON values. */
export type StoreData = Record<string, Record<string, unknown>>;

/**
 * Migrations keyed by the version they start from: `migrations[n]` turns version n data into
 * version n+1 data. They run in order at open, on the snapshot plus the replayed log.
 */
export type Migrations = Readonly<Record<number, (data: StoreData) => StoreData>>;

/** netd's own migrations; empty while only version 1 exists. */
export const MIGRATIONS: Migrations = {};

/**
 * Brings `data` from version `from` to `to`. Throws STORE_VERSION_UNSUPPORTED when the store
 * is newer than this build or a migration step is missing.
 */
export function migrate(data: StoreData, from: number, to: number, migrations: Migrations, where: string): StoreData {
  if (!Number.isInteger(from) || from < 1) {
    throw storeVersionError(`store in ${where} has an invalid schema version ${JSON.stringify(from)}`, "restore the data dir from a backup or run `netd cleanup` and start afresh");
  }
  if (from > to) {
    throw storeVersionError(`store in ${where} has schema version ${from}, newer than this netd's ${to}`, "run the netd version that wrote it, or a newer one");
  }
  let out = data;
  for (let v = from; v < to; v++) {
    const step = migrations[v];
    if (!step) throw storeVersionError(`no migration from store schema version ${v} to ${v + 1}`, "upgrade through an intermediate netd release");
    out = step(out);
  }
  return out;
}

function storeVersionError(message: string, hint: string): NetdError {
  return new NetdError({ code: "STORE_VERSION_UNSUPPORTED", category: "internal", message, hint });
}
