import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The Debian kernel the guest boots, pinned exactly: `linux-image-amd64` moves between ABIs
 * (6.1.0-50 in bookworm main, newer ones in bookworm-security), so the image package name and
 * its version are fixed here and the .deb is cached. Change both together.
 */
export const KERNEL_PACKAGE = "linux-image-6.1.0-50-amd64";
/** Debian version of {@link KERNEL_PACKAGE}. */
export const KERNEL_VERSION = "6.1.176-1";
/** `uname -r` of the guest kernel (the directory under /lib/modules). */
export const KERNEL_RELEASE = "6.1.0-50-amd64";

/**
 * Modules loaded at boot, in order. Everything else in the initramfs (all of netfilter, the
 * nft expressions, NAT, conntrack) is loaded on demand: /proc/sys/kernel/modprobe points at
 * busybox modprobe. crc32c_generic: nf_tables needs crc32c and the qemu64 CPU lacks SSE4.2.
 */
export const BOOT_MODULES = [
  "virtio_pci",
  "9pnet_virtio",
  "9p",
  "overlay",
  "crc32c_generic",
  "dummy",
  "ipvlan",
  "macvlan",
  "8021q",
  "veth",
  "bridge",
  "nf_tables",
  "nf_conntrack",
  "nft_chain_nat",
  "nft_nat",
  "nft_masq",
  "nft_ct",
] as const;

/** Module trees copied whole (relative to lib/modules/<release>/kernel), plus single drivers. */
export const MODULE_DIRS = [
  "net/netfilter",
  "net/ipv4/netfilter",
  "net/ipv6/netfilter",
  "net/bridge",
  "net/8021q",
  "fs/9p",
  "fs/overlayfs",
  "drivers/virtio",
] as const;
/**
 * The parts of the kernel package unpacked into the cache (directories and files
 * under lib/modules/<release>/kernel): every module the closure can reach, about 90 of its 400 MB.
 */
export const KERNEL_EXTRACT = [
  ...["net", "fs", "crypto", "lib", "arch", "drivers/virtio", "drivers/net/ipvlan"],
  ...["dummy", "macvlan", "macvtap", "tap", "veth"].map((m) => `drivers/net/${m}.ko`),
];

/** Modules copied by name (with their modules.dep closure) besides {@link MODULE_DIRS}. */
export const MODULE_NAMES = [...BOOT_MODULES, "macvtap", "nf_reject_ipv4", "nf_reject_ipv6"];

/**
 * Host programs copied into the guest at their own absolute paths, with their shared
 * libraries. Tests must call them by absolute path or rely on PATH (host paths come first):
 * busybox's own `ip` supports neither netns nor ipvlan.
 */
export const HOST_PROGRAMS = [
  "/usr/sbin/ip",
  "/usr/sbin/bridge",
  "/usr/bin/ss",
  "/usr/sbin/nft",
  "/usr/sbin/conntrack",
  "/usr/bin/nsenter",
  "/usr/bin/unshare",
  "/usr/bin/ping",
  "/usr/bin/prlimit",
] as const;
/** Host data directories/files copied when present (iproute2 tables, protocol names). */
export const HOST_DATA = ["/etc/iproute2", "/usr/share/iproute2", "/etc/protocols", "/etc/services", "/etc/ethertypes"];
/** Debian packages whose versions enter the cache key. */
export const KEYED_PACKAGES = ["iproute2", "nftables", "libnftables1", "util-linux", "iputils-ping", "conntrack", "busybox-static", "libc6"];

/** Where the .deb, the unpacked kernel and the initramfs images are cached. */
export function cacheRoot(): string {
  return process.env["NETD_VM_CACHE"] ?? (process.getuid?.() === 0 ? "/var/cache/netd-vm" : join(tmpdir(), "netd-vm-cache"));
}

/** Guest memory in MiB: vitest and node need more than the bare 512 MiB a probe needed. */
export function guestMemoryMb(): number {
  return Number(process.env["NETD_VM_MEMORY_MB"] ?? 1536);
}

/**
 * Whether qemu uses /dev/kvm. Opt-in (NETD_VM_KVM=1): on these machines /dev/kvm is nested
 * virtualisation that can stall the guest kernel before its first console line or stop it
 * with "KVM internal error ... emulation failure" on `lock cmpxchg16b`, while TCG boots the
 * same kernel every time in about 20 s.
 */
export function useKvm(): boolean {
  return process.env["NETD_VM_KVM"] === "1";
}

/**
 * Host-side limit from qemu start to the guest's "guest ready" line: a guest that has not
 * finished booting by then never will (a stalled accelerator, a kernel that hangs early).
 */
export function guestBootTimeoutMs(): number {
  return Number(process.env["NETD_VM_BOOT_TIMEOUT_MS"] ?? 300_000);
}

/** Host-side limit for one boot (all packages); the guest is killed by PID when it is exceeded. */
export function guestTimeoutMs(): number {
  return Number(process.env["NETD_VM_TIMEOUT_MS"] ?? 1_800_000);
}
