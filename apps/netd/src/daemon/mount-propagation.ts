/**
 * netd creates each sandbox's namespace as a bind mount under /run/netns. When the daemon
 * runs in a mount namespace of its own whose /run/netns does not propagate back (what
 * `ip netns exec` sets up: a private copy, mounts made slave), those mounts are invisible to
 * every other process and `netd run` fails to enter them. Checked at start, before any state.
 */
import { readFileSync, readlinkSync } from "node:fs";

/** Why sandboxes created by this process would be invisible outside it, or null when they are not. */
export function netnsPropagationProblem(proc = "/proc"): string | null {
  let lines: string[];
  try {
    lines = readFileSync(`${proc}/self/mountinfo`, "utf8").split("\n");
  } catch {
    return null;
  }
  // The mount that holds /run/netns: the longest mount point that is /run/netns or a parent of it.
  let best: { point: string; tags: string[] } | null = null;
  for (const line of lines) {
    const f = line.split(" ");
    const point = f[4];
    const dash = f.indexOf("-");
    if (point === undefined || dash < 0) continue;
    if (!(point === "/" || point === "/run/netns" || "/run/netns".startsWith(`${point}/`))) continue;
    if (best === null || point.length >= best.point.length) best = { point, tags: f.slice(6, dash) };
  }
  if (best === null || best.tags.some((t) => t.startsWith("shared:"))) return null;
  // A slave copy (what `ip netns exec` makes) receives the host's mounts but never sends its own.
  let other = best.tags.some((t) => t.startsWith("master:"));
  if (!other) {
    try {
      other = readlinkSync(`${proc}/self/ns/mnt`) !== readlinkSync(`${proc}/1/ns/mnt`);
    } catch {
      // PID 1's namespace cannot be read (hidepid, another PID namespace): nothing to compare with.
    }
  }
  if (!other) return null;
  return "netd runs in a mount namespace of its own (as 'ip netns exec' sets up) whose mounts do not propagate, so the /run/netns mounts of its sandboxes would be invisible to every other process and 'netd run' could not enter them";
}
