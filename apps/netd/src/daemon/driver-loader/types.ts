/** Driver entries of the config file and what the daemon reports about loaded drivers. */
import { z } from "zod";

/**
 * One entry of the config file's `drivers`: an npm package name, or a path to an ES module
 * (absolute, or relative to the config file), or either with factory options.
 */
export const DriverEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({ module: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
]);
export type DriverEntry = z.infer<typeof DriverEntrySchema>;

/** A registered driver as `GET /info` and `netd drivers` show it. */
export interface DriverDescription {
  readonly name: string;
  readonly apiVersion: number;
  /** "builtin", or the config entry's module (package name or path). */
  readonly source: string;
  /** The npm package the driver came from, or null (a module outside any package). */
  readonly package: string | null;
  /** That package's version, or null. */
  readonly version: string | null;
}
