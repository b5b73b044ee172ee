// Packs every public workspace package and installs the tarballs with plain npm into a
// scratch project outside the workspace (pack.int.test.ts). A .mjs helper because it runs
// pnpm/npm/tsc/publint/attw as child processes (argument arrays, never a shell), which the
// TypeScript sources may not (STYLE.md: only packages/kernel spawns).
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Runs argv; resolves with code and output, never rejects for a non-zero exit. */
export function run(argv, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function must(argv, options) {
  const r = await run(argv, options);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Workspace package directories whose package.json is not private, with their names. */
export function publicPackages(root) {
  const out = [];
  for (const group of ["packages", "apps", "examples"]) {
    for (const name of readdirSync(join(root, group))) {
      const dir = join(root, group, name);
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      } catch {
        continue;
      }
      if (!pkg.private) out.push({ dir, name: pkg.name });
    }
  }
  return out;
}

/** pnpm pack each package into scratch/tgz, then one `npm install` of all tarballs (+ @types/node) in scratch/proj. */
export async function packAndInstall(root, scratch, extraDeps = []) {
  const tgz = join(scratch, "tgz");
  const proj = join(scratch, "proj");
  mkdirSync(tgz, { recursive: true });
  mkdirSync(proj, { recursive: true });
  const packages = publicPackages(root);
  const tarballs = [];
  for (const p of packages) {
    const out = await must(["pnpm", "pack", "--pack-destination", tgz], { cwd: p.dir });
    const file = out.trim().split("\n").pop().trim();
    tarballs.push({ ...p, tarball: file.startsWith("/") ? file : join(tgz, file) });
  }
  writeFileSync(join(proj, "package.json"), JSON.stringify({ name: "netd-pack-scratch", private: true, type: "module" }));
  await must(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.map((t) => t.tarball), ...extraDeps], { cwd: proj, env: { npm_config_nodedir: process.env.npm_config_nodedir ?? "/usr" } });
  return { proj, tarballs };
}
