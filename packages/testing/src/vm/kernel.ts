import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, KERNEL_EXTRACT, KERNEL_PACKAGE, KERNEL_RELEASE, KERNEL_VERSION } from "./config.js";
import { VmSetupError } from "./errors.js";
import { runTool } from "./proc.js";

/** The unpacked guest kernel. */
export interface GuestKernel {
  /** "linux-image-6.1.0-50-amd64=6.1.176-1": what the cache is keyed on. */
  readonly id: string;
  readonly release: string;
  readonly vmlinuz: string;
  /** lib/modules/<release> of the unpacked package, with modules.dep (busybox depmod). */
  readonly modulesDir: string;
}

/**
 * Returns the pinned kernel, downloading (`apt-get download`, after one `apt-get update` if
 * the first try fails) and unpacking the parts it needs (`dpkg-deb --fsys-tarfile | tar -x`, `busybox depmod`) into the cache on
 * first use. Throws a {@link VmSetupError} naming the package when it cannot be had.
 */
export async function ensureKernel(): Promise<GuestKernel> {
  const id = `${KERNEL_PACKAGE}=${KERNEL_VERSION}`;
  const dir = join(cacheRoot(), "kernel", `${KERNEL_RELEASE}_${KERNEL_VERSION}_v2`);
  const kernel: GuestKernel = {
    id,
    release: KERNEL_RELEASE,
    vmlinuz: join(dir, "boot", `vmlinuz-${KERNEL_RELEASE}`),
    modulesDir: join(dir, "lib", "modules", KERNEL_RELEASE),
  };
  if (existsSync(join(kernel.modulesDir, "modules.dep")) && existsSync(kernel.vmlinuz)) return kernel;

  const deb = await ensureDeb();
  // Several checkouts may set up at once: each unpacks into its own directory, the first
  // rename wins and the others drop theirs.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await unpack(deb, partial);
  // The .deb ships no modules.dep and the host may have no kmod: busybox's depmod does it.
  const depmod = await runTool("busybox", ["depmod", "-b", partial, KERNEL_RELEASE]);
  if (depmod.code !== 0) throw new VmSetupError("VM_KERNEL_DEPMOD", `busybox depmod failed: ${depmod.stderr.trim()}`);
  try {
    renameSync(partial, dir);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(kernel.modulesDir, "modules.dep"))) throw err;
  }
  return kernel;
}

/** `dpkg-deb --fsys-tarfile | tar -x` of the kernel image and the modules it can need. */
async function unpack(deb: string, into: string): Promise<void> {
  const mods = `./lib/modules/${KERNEL_RELEASE}`;
  const patterns = [`./boot/vmlinuz-${KERNEL_RELEASE}`, `${mods}/modules.*`, ...KERNEL_EXTRACT.map((p) => `${mods}/kernel/${p}`)];
  const tar = spawn("tar", ["-x", "-C", into, "--wildcards", "--no-wildcards-match-slash", ...patterns], { stdio: ["pipe", "ignore", "pipe"] });
  let tarErr = "";
  tar.stderr.setEncoding("utf8").on("data", (c: string) => (tarErr += c));
  const tarDone = new Promise<number>((resolve, reject) => {
    tar.on("error", reject);
    tar.on("close", (code) => resolve(code ?? 1));
  });
  const deb2tar = await runTool("dpkg-deb", ["--fsys-tarfile", deb], { stdoutTo: tar.stdin });
  const tarCode = await tarDone;
  if (deb2tar.code !== 0 || tarCode !== 0) {
    throw new VmSetupError("VM_KERNEL_UNPACK", `cannot unpack ${deb}: ${(deb2tar.stderr + tarErr).trim() || `tar exited with ${tarCode}`}`);
  }
}

async function ensureDeb(): Promise<string> {
  const debs = join(cacheRoot(), "debs");
  mkdirSync(debs, { recursive: true });
  const find = () => readdirSync(debs).find((f) => f.startsWith(`${KERNEL_PACKAGE}_${KERNEL_VERSION}_`) && f.endsWith(".deb"));
  let found = find();
  if (found === undefined) {
    const spec = `${KERNEL_PACKAGE}=${KERNEL_VERSION}`;
    let dl = await runTool("apt-get", ["download", "-qq", spec], { cwd: debs });
    if (dl.code !== 0) {
      await runTool("apt-get", ["update", "-qq"]);
      dl = await runTool("apt-get", ["download", "-qq", spec], { cwd: debs });
    }
    found = find();
    if (dl.code !== 0 || found === undefined) {
      throw new VmSetupError(
        "VM_KERNEL_MISSING",
        `cannot download the guest kernel ${spec} with apt-get download (${dl.stderr.trim() || `exit ${dl.code}`}); ` +
          `check the bookworm apt sources, or put the .deb into ${debs}`,
      );
    }
  }
  return join(debs, found);
}
