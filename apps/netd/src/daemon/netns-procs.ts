/**
 * Which processes live in a network namespace: found through /proc/PID/ns/net, whose inode is
 * the namespace's. `netd cleanup` names them before it pulls their network away.
 */
import { readdirSync, statSync } from "node:fs";

/** PIDs of the processes in the namespace mounted at `netnsPath` (empty when it is gone). */
export function processesInNetns(netnsPath: string): number[] {
  let ino: number;
  try {
    ino = statSync(netnsPath).ino;
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // An nsfs mount and the /proc link share the namespace's inode (and the nsfs device).
      if (statSync(`/proc/${entry}/ns/net`).ino === ino) pids.push(Number(entry));
    } catch {
      // The process exited meanwhile, or is not ours to read.
    }
  }
  return pids;
}
