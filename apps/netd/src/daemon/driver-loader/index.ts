export { DriverLoadError, loadDrivers } from "./load.js";
export type { LoadedDriver } from "./load.js";
export { describeBuiltin, openDrivers } from "./open.js";
export { DriverEntrySchema } from "./types.js";
export type { DriverDescription, DriverEntry } from "./types.js";
