/**
 * Loads the drivers named in the config file: each module is imported, its driver taken
 * from the default export (a Driver, or a DriverFactory called with the entry's options) or
 * else a named `driver` export, its apiVersion checked, its name checked against every
 * driver registered before it. Any failure stops startup with a DriverLoadError naming the
 * entry and the reason; nothing is registered partially (loading happens before the
 * Controller opens).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { API_VERSION, type Driver } from "@netd/driverapi";
import type { DriverDescription, DriverEntry } from "./types.js";

/** Why a driver could not be loaded; the message says which entry and what to do. */
export class DriverLoadError extends Error {
  override readonly name = "DriverLoadError";
}

/** A loaded driver and its description. */
export interface LoadedDriver {
  readonly driver: Driver;
  readonly description: DriverDescription;
}

/**
 * Loads `entries` in order after `registered` (the built-in drivers). Relative paths must
 * already be absolute (the config loader resolves them against the config file);
 * package names resolve from `resolveFrom` (the config file's directory) and then from the
 * daemon's own installation.
 */
export async function loadDrivers(entries: readonly DriverEntry[], registered: readonly DriverDescription[], resolveFrom: string = process.cwd()): Promise<LoadedDriver[]> {
  const taken = new Map(registered.map((d) => [d.name, d.source]));
  const loaded: LoadedDriver[] = [];
  for (const entry of entries) {
    const spec = typeof entry === "string" ? entry : entry.module;
    const options = typeof entry === "string" ? undefined : entry.options;
    const what = `driver module '${spec}'`;
    const file = resolveModule(spec, resolveFrom, what);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      throw new DriverLoadError(`cannot load ${what} (${file}): importing it threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}; fix the module or remove it from "drivers"`, { cause: e });
    }
    const driver = await instantiate(mod, options, what);
    if (driver.apiVersion !== API_VERSION) {
      throw new DriverLoadError(`cannot load ${what}: driver '${driver.name}' declares apiVersion ${JSON.stringify(driver.apiVersion)} but this netd implements driver API version ${API_VERSION}; use a version of the driver built for API ${API_VERSION} (see docs/writing-a-driver.md, "Versioning")`);
    }
    const holder = taken.get(driver.name);
    if (holder !== undefined) {
      throw new DriverLoadError(`cannot load ${what}: driver name '${driver.name}' is already taken by ${holder === "builtin" ? "a built-in driver" : `driver module '${holder}'`}; give one of them another name (e.g. a factory option) or remove one from "drivers"`);
    }
    taken.set(driver.name, spec);
    const pkg = await findPackage(file);
    loaded.push({ driver, description: { name: driver.name, apiVersion: driver.apiVersion, source: spec, package: pkg?.name ?? null, version: pkg?.version ?? null } });
  }
  return loaded;
}

function resolveModule(spec: string, resolveFrom: string, what: string): string {
  if (isAbsolute(spec)) return spec;
  const bases = [join(resolveFrom, "noop.js"), import.meta.filename];
  for (const base of bases) {
    try {
      return createRequire(base).resolve(spec);
    } catch {
      // next base
    }
  }
  throw new DriverLoadError(`cannot load ${what}: no such package or file (looked in node_modules from ${resolveFrom} and from netd's installation); install it (npm i ${spec}) or give a path`);
}

async function instantiate(mod: Record<string, unknown>, options: Readonly<Record<string, unknown>> | undefined, what: string): Promise<Driver> {
  const exported = mod.default ?? mod.driver;
  if (exported === undefined) throw new DriverLoadError(`cannot load ${what}: it has neither a default export nor a named export 'driver'; export the Driver or a factory returning it`);
  let value: unknown = exported;
  if (typeof exported === "function") {
    try {
      value = await (exported as (o: Readonly<Record<string, unknown>>) => unknown)(options ?? {});
    } catch (e) {
      throw new DriverLoadError(`cannot load ${what}: its factory threw ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  } else if (options !== undefined) {
    throw new DriverLoadError(`cannot load ${what}: "options" were given but the module exports a Driver object, not a factory; remove "options"`);
  }
  const d = value as Partial<Driver> | null;
  if (typeof d !== "object" || d === null || typeof d.name !== "string" || typeof d.createNetwork !== "function" || typeof d.join !== "function") {
    throw new DriverLoadError(`cannot load ${what}: its export is not a netd Driver (an object with name, apiVersion, capabilities, createNetwork, deleteNetwork, join, leave)`);
  }
  return d as Driver;
}

/** The nearest package.json above `file` that has a name. */
async function findPackage(file: string): Promise<{ name: string; version: string | null } | null> {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (typeof pkg.name === "string") return { name: pkg.name, version: typeof pkg.version === "string" ? pkg.version : null };
    } catch {
      // no package.json here
    }
    if (dirname(dir) === dir) return null;
  }
}
