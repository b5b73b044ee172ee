import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { MODULE_DIRS, MODULE_NAMES } from "./config.js";
import { mustRun } from "./proc.js";

/**
 * Shared libraries `ldd` lists for the given ELF files (the dynamic loader included), by the
 * path the loader will look them up at. Static binaries contribute nothing.
 */
export async function libraryClosure(files: readonly string[]): Promise<string[]> {
  const libs = new Set<string>();
  for (const file of files) {
    const out = await mustRun("ldd", [file]).catch((err: unknown) => {
      if (err instanceof Error && /not a dynamic executable/.test(err.message)) return { stdout: "" };
      throw err;
    });
    for (const line of out.stdout.split("\n")) {
      const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
      if (m?.[1]) libs.add(m[1]);
    }
  }
  return [...libs].sort();
}

/**
 * Module files (paths relative to `modulesDir`) for {@link MODULE_DIRS} and {@link MODULE_NAMES},
 * closed over the dependencies listed in modules.dep.
 */
export function moduleClosure(modulesDir: string): string[] {
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(join(modulesDir, "modules.dep"), "utf8").split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    deps.set(line.slice(0, colon), line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
  }
  const byName = new Map<string, string>();
  for (const path of deps.keys()) byName.set(moduleName(path), path);

  const wanted: string[] = [];
  for (const name of MODULE_NAMES) {
    const path = byName.get(name.replace(/-/g, "_"));
    if (path === undefined) throw new Error(`module ${name} is not in ${modulesDir}/modules.dep`);
    wanted.push(path);
  }
  for (const dir of MODULE_DIRS) wanted.push(...walk(join(modulesDir, "kernel", dir)).map((f) => f.slice(modulesDir.length + 1)));

  const closed = new Set<string>();
  const visit = (path: string): void => {
    if (closed.has(path)) return;
    closed.add(path);
    for (const dep of deps.get(path) ?? []) visit(dep);
  };
  wanted.forEach(visit);
  return [...closed].sort();
}

function moduleName(path: string): string {
  return basename(path).replace(/\.ko(\.[a-z]+)?$/, "").replace(/-/g, "_");
}

/** Every regular file under dir (absolute paths); empty when dir does not exist. */
export function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [dir];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(full);
  }
  return out;
}

/** Every entry under root (directories before their contents, links not followed), relative to root. */
export function listTree(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    const sub = rel === "" ? entry.name : `${rel}/${entry.name}`;
    out.push(sub);
    if (entry.isDirectory()) out.push(...listTree(root, sub));
  }
  return out;
}

/**
 * Native addons the guest may load from the repo share: netd's own (packages/<name>/build/Release)
 * and the prebuilt ones pnpm installed (rolldown, rollup: vitest needs them). Only their
 * shared libraries go into the initramfs; the addons are read over 9p.
 */
export function findNativeAddons(root: string): string[] {
  const found: string[] = [];
  const addons = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) if (f.endsWith(".node")) found.push(join(dir, f));
  };
  if (existsSync(join(root, "packages"))) {
    for (const pkg of readdirSync(join(root, "packages"))) addons(join(root, "packages", pkg, "build", "Release"));
  }
  const store = join(root, "node_modules", ".pnpm");
  if (existsSync(store)) {
    for (const entry of readdirSync(store)) {
      const modules = join(store, entry, "node_modules");
      if (!existsSync(modules)) continue;
      for (const name of readdirSync(modules)) {
        if (name.startsWith("@")) for (const sub of readdirSync(join(modules, name))) addons(join(modules, name, sub));
        else addons(join(modules, name));
      }
    }
  }
  return found.sort();
}
