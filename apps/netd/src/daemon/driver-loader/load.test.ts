import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDaemonConfig } from "../config.js";
import { DriverLoadError, loadDrivers } from "./load.js";
import { openDrivers } from "./open.js";

const dir = mkdtempSync(join(tmpdir(), "netd-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const driverSource = (name: string, apiVersion: number) =>
  `const d = (o) => ({ name: o.name ?? ${JSON.stringify(name)}, apiVersion: ${apiVersion}, capabilities: {}, createNetwork() {}, deleteNetwork() {}, join() {}, leave() {} });`;
function write(rel: string, text: string): string {
  const file = join(dir, rel);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  return file;
}

// A package in node_modules (with a version) and loose modules.
write("node_modules/netd-driver-good/package.json", JSON.stringify({ name: "netd-driver-good", version: "1.2.3", type: "module", exports: "./index.js" }));
write("node_modules/netd-driver-good/index.js", `${driverSource("good", 2)}\nexport default d;`);
const named = write("named.mjs", `${driverSource("named", 2)}\nexport const driver = d({});`);
const oldApi = write("old.mjs", `${driverSource("old", 1)}\nexport default d;`);
const throws = write("throws.mjs", `throw new Error("boom at import");`);
const dup = write("dup.mjs", `${driverSource("bridge", 2)}\nexport default d;`);
const empty = write("empty.mjs", `export const nothing = 1;`);

const builtins = [{ name: "bridge", apiVersion: 2, source: "builtin", package: "@netd/netd", version: "0.0.0" }];

describe("driver loading", () => {
  it("loads a package by name (default export factory, with options) and a path (named export driver), with versions", async () => {
    const loaded = await loadDrivers([{ module: "netd-driver-good", options: { name: "good2" } }, named], builtins, dir);
    expect(loaded.map((l) => l.description)).toEqual([
      { name: "good2", apiVersion: 2, source: "netd-driver-good", package: "netd-driver-good", version: "1.2.3" },
      { name: "named", apiVersion: 2, source: named, package: null, version: null },
    ]);
  });

  it.each([
    ["a module that throws on import", throws, /cannot load driver module '.*throws\.mjs' .*importing it threw Error: boom at import/],
    ["a wrong apiVersion", oldApi, /driver 'old' declares apiVersion 1 but this netd implements driver API version 2/],
    ["a name already taken by a built-in driver", dup, /driver name 'bridge' is already taken by a built-in driver/],
    ["a module without a driver export", empty, /has neither a default export nor a named export 'driver'/],
    ["a package that is not installed", "netd-driver-missing", /driver module 'netd-driver-missing': no such package or file/],
  ])("refuses %s with a message naming the module and the reason", async (_what, entry, message) => {
    const err = await loadDrivers([entry], builtins, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverLoadError);
    expect((err as Error).message).toMatch(message);
  });

  it("refuses two configured drivers with one name, naming the first", async () => {
    await expect(loadDrivers([named, named], builtins, dir)).rejects.toThrow(/driver name 'named' is already taken by driver module '.*named\.mjs'/);
  });

  it("the config file lists drivers; relative paths resolve against the file's directory; built-ins come first", async () => {
    const cfgFile = write("etc/netd.json", JSON.stringify({ drivers: ["../named.mjs", "netd-driver-good"] }));
    const cfg = loadDaemonConfig(cfgFile, {});
    expect(cfg.drivers).toEqual([named, "netd-driver-good"]);
    const all = await openDrivers({ userlandProxy: false }, cfg.drivers, dir);
    expect(all.map((l) => `${l.description.name}:${l.description.source}`)).toEqual(["bridge:builtin", "routed:builtin", "ipvlan:builtin", `named:${named}`, "good:netd-driver-good"]);
  });
});
