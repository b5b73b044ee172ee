import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { libraryClosure, listTree, moduleClosure, walk } from "./closure.js";
import { BOOT_MODULES, cacheRoot, HOST_DATA, HOST_PROGRAMS, KEYED_PACKAGES } from "./config.js";
import { VmSetupError } from "./errors.js";
import { INIT_SCRIPT } from "./init-script.js";
import type { GuestKernel } from "./kernel.js";
import { mustRun, runTool } from "./proc.js";
import { populateTree } from "./tree.js";

/** One host file copied into the initramfs. */
export interface ImageFile {
  /** Absolute path inside the guest. */
  readonly guest: string;
  /** Absolute path on the host. */
  readonly host: string;
}

/** What goes into the initramfs; its JSON is hashed into the cache key. */
export interface ImageManifest {
  readonly format: 2;
  readonly kernel: string;
  readonly node: string;
  readonly packages: Record<string, string>;
  readonly bootModules: readonly string[];
  readonly modules: readonly string[];
  readonly files: readonly (ImageFile & { size: number; mtimeMs: number })[];
  readonly init: string;
}

/** A ready initramfs image. */
export interface GuestImage {
  readonly path: string;
  readonly key: string;
  /** True when it was built by this call (cold setup). */
  readonly built: boolean;
}

/**
 * Returns the initramfs for `kernel`, building it on first use. `natives` are extra ELF files
 * (e.g. the netlink addon) whose libraries the guest needs; the files themselves are read
 * from the repo share. The image is cached under <cache>/initramfs/<key>.cpio.gz, the key
 * hashing the kernel, node, the package versions, every copied file and the init script.
 */
export async function ensureInitramfs(kernel: GuestKernel, natives: readonly string[]): Promise<GuestImage> {
  const manifest = await describeImage(kernel, natives);
  const key = createHash("sha256").update(JSON.stringify(manifest)).digest("hex").slice(0, 24);
  const dir = join(cacheRoot(), "initramfs");
  const path = join(dir, `${key}.cpio.gz`);
  if (existsSync(path)) return { path, key, built: false };

  mkdirSync(dir, { recursive: true });
  const tree = mkdtempSync(join(dir, "tree-"));
  try {
    populateTree(tree, kernel, manifest);
    const depmod = await runTool("busybox", ["depmod", "-b", tree, kernel.release]);
    if (depmod.code !== 0) throw new VmSetupError("VM_INITRAMFS", `busybox depmod in the initramfs failed: ${depmod.stderr}`);
    const partial = `${path}.partial-${process.pid}`;
    const gzip = createGzip({ level: 1 });
    const written = pipeline(gzip, createWriteStream(partial));
    const list = listTree(tree);
    await mustRun("cpio", ["-o", "-H", "newc", "--quiet"], { cwd: tree, input: list.join("\n") + "\n", stdoutTo: gzip });
    await written;
    renameSync(partial, path);
    writeFileSync(join(dir, `${key}.json`), JSON.stringify(manifest, null, 2));
    return { path, key, built: true };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

async function describeImage(kernel: GuestKernel, natives: readonly string[]): Promise<ImageManifest> {
  const programs = [...HOST_PROGRAMS, process.execPath, "/bin/busybox"];
  for (const p of programs) {
    if (!existsSync(p)) throw new VmSetupError("VM_HOST_PROGRAM", `${p} is missing on the host: run scripts/bootstrap.sh`);
  }
  const libs = await libraryClosure([...programs, ...natives]);
  const hostFiles = [...programs, ...libs, ...HOST_DATA.flatMap((d) => walk(d))];
  const files = [...new Set(hostFiles)].sort().map((host) => {
    const st = statSync(host);
    return { guest: host, host, size: st.size, mtimeMs: st.mtimeMs };
  });
  const busybox = statSync("/bin/busybox");
  files.push({ guest: "/usr/lib/netd-vm/busybox", host: "/bin/busybox", size: busybox.size, mtimeMs: busybox.mtimeMs });
  return {
    format: 2,
    kernel: kernel.id,
    node: process.version,
    packages: await packageVersions(),
    bootModules: BOOT_MODULES,
    modules: moduleClosure(kernel.modulesDir),
    files,
    init: INIT_SCRIPT,
  };
}

async function packageVersions(): Promise<Record<string, string>> {
  const out = await runTool("dpkg-query", ["-W", "-f", "${Package} ${Version}\n", ...KEYED_PACKAGES]);
  const versions: Record<string, string> = {};
  for (const line of out.stdout.split("\n")) {
    const [name, version] = line.split(" ");
    if (name && version) versions[name] = version;
  }
  return versions;
}
