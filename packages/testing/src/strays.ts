/**
 * Stray processes: a netd-proxy (the userland proxy) that the daemon under test started and
 * that outlived the test. It runs detached from the daemon by design (it survives a daemon
 * kill -9), so the tracked-PID check cannot see it; it also keeps its namespace alive after
 * `ip netns del`. Found by reading /proc: processes named netd-proxy whose network namespace
 * is one of the env's.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { NETNS_DIR } from "./names.js";

/** Executable names that must not outlive a test. */
export const STRAY_NAMES: readonly string[] = ["netd-proxy"];

/** The nsfs inode of each named namespace that still exists. */
export function netnsInodes(names: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of names) {
    try {
      out.set(statSync(`${NETNS_DIR}/${name}`).ino, name);
    } catch {
      // gone already
    }
  }
  return out;
}

/** A stray: its pid, name and the env namespace it runs in. */
export interface Stray {
  readonly pid: number;
  readonly name: string;
  readonly netns: string;
}

/** Lists processes of {@link STRAY_NAMES} whose network namespace has an inode in `inodes`. */
export function findStrays(inodes: ReadonlyMap<number, string>): Stray[] {
  if (inodes.size === 0) return [];
  const strays: Stray[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (!STRAY_NAMES.includes(name)) continue;
      const ino = Number(/net:\[(\d+)\]/.exec(readlinkSync(`/proc/${entry}/ns/net`))?.[1]);
      const netns = inodes.get(ino);
      if (netns !== undefined) strays.push({ pid: Number(entry), name, netns });
    } catch {
      // the process exited while we looked
    }
  }
  return strays;
}
