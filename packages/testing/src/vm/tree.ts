import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ImageManifest } from "./initramfs.js";
import type { GuestKernel } from "./kernel.js";

/** Busybox and its applet links live apart so host programs (ip, nsenter) always win on PATH. */
const BUSYBOX = "/usr/lib/netd-vm/busybox";
const APPLETS = "/usr/lib/netd-vm/bin";

/**
 * Lays out the initramfs tree (merged /usr like Debian 12): host files, busybox applets,
 * the modules, /init and a minimal /etc.
 */
export function populateTree(tree: string, kernel: GuestKernel, manifest: ImageManifest): void {
  const dir = (rel: string): void => {
    const parts = rel.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join("/");
      const full = join(tree, sub);
      if (!existsSync(full) && !isLink(full)) mkdirSync(full);
    }
  };
  for (const d of ["usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "proc", "sys", "dev", "run", "tmp", "mnt", "out", "root", "etc/netd-vm", "var"]) dir(d);
  for (const [link, target] of [["bin", "usr/bin"], ["sbin", "usr/sbin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"], ["var/run", "../run"]]) {
    symlinkSync(target!, join(tree, link!));
  }
  const file = (guest: string, write: (full: string) => void): void => {
    const rel = resolveMerged(guest.slice(1));
    dir(dirname(rel));
    const full = join(tree, rel);
    if (existsSync(full)) return;
    write(full);
  };
  for (const f of manifest.files) {
    file(f.guest, (full) => {
      copyFileSync(f.host, full);
      chmodSync(full, lstatSync(f.host).mode & 0o7777 || 0o755);
    });
  }
  const applets = execFileSync("/bin/busybox", ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const applet of applets) file(`${APPLETS}/${applet}`, (full) => symlinkSync(BUSYBOX, full));
  // Fixed names the kernel and the init script use; kept out of PATH's host directories
  // only where the host has no program of that name.
  for (const name of ["/usr/bin/sh", "/usr/sbin/modprobe", "/usr/sbin/insmod"]) file(name, (full) => symlinkSync(BUSYBOX, full));
  file("/init", (full) => writeFileSync(full, manifest.init, { mode: 0o755 }));
  file("/etc/netd-vm/modules", (full) => writeFileSync(full, manifest.bootModules.join("\n") + "\n"));
  file("/etc/passwd", (full) => writeFileSync(full, "root:x:0:0:root:/root:/bin/sh\n"));
  file("/etc/group", (full) => writeFileSync(full, "root:x:0:\n"));
  file("/etc/hosts", (full) => writeFileSync(full, "127.0.0.1 localhost\n::1 localhost\n"));

  const modRoot = join(tree, "usr/lib/modules", kernel.release);
  for (const rel of [...manifest.modules, "modules.builtin", "modules.builtin.modinfo", "modules.order"]) {
    const src = join(kernel.modulesDir, rel);
    if (!existsSync(src)) continue;
    mkdirSync(dirname(join(modRoot, rel)), { recursive: true });
    copyFileSync(src, join(modRoot, rel));
  }
}

/** Debian 12 merged /usr: /lib/x → usr/lib/x, /bin/x → usr/bin/x (the tree has those links). */
function resolveMerged(rel: string): string {
  for (const [top, target] of [["lib/", "usr/lib/"], ["lib64/", "usr/lib64/"], ["bin/", "usr/bin/"], ["sbin/", "usr/sbin/"]]) {
    if (rel.startsWith(top!)) return target! + rel.slice(top!.length);
  }
  return rel;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
