/** The daemon's embedded store; also a tsup entry so the benchmark can import it from dist. */
export { openLogStore, LOG_FILE } from "./log-store.js";
export type { LogStore, LogStoreOptions } from "./log-store.js";
export { CURRENT_SCHEMA_VERSION, MIGRATIONS, migrate } from "./schema-version.js";
export type { Migrations, StoreData } from "./schema-version.js";
