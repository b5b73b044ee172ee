/**
 * The core half of restore's orphan sweep (the drivers sweep their links in `restore`):
 * namespaces netd created that no sandbox record names any more. Intents already cover every
 * operation a crash interrupted; the sweep is what still holds when an intent is missing
 * (written by an older netd, lost with the page cache, or a bug), so the kernel ends up equal
 * to the store whatever the history.
 *
 * Only what carries netd's name is touched: `/run/netns/<netnsPrefix><12 hex>` (the name
 * create-sandbox derives from the sandbox id). Such a name that is a plain file, not a
 * namespace, is what a create or delete killed between its mount and its file steps leaves
 * (a delete's unmount waits for an RCU grace period, so the window is milliseconds wide): it is
 * removed too. A namespace still holding any link besides
 * `lo` is left alone and logged: it is in use (a process put something there), and two daemons
 * that share a `--netns-prefix` must not delete each other's unjoined sandboxes' namespaces
 * by accident more than the check allows (docs/reliability.md says: one prefix per daemon).
 */
import type { Core } from "./core.js";

/** Runs after recovery of interrupted operations, before the gateway replay. Returns the names removed. */
export async function sweepNamespaces(core: Core): Promise<string[]> {
  const known = new Set([...core.state.sandboxes.values()].map((sb) => sb.netns));
  const pattern = new RegExp(`^${core.netnsPrefix.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}[0-9a-f]{12}$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await core.kernel.netns.list();
  } catch (e) {
    core.log.warn("cannot list /run/netns; namespaces are not swept", { error: String(e) });
    return removed;
  }
  for (const name of names) {
    const path = `/run/netns/${name}`;
    if (!pattern.test(name) || known.has(path)) continue;
    try {
      if (!(await core.kernel.netns.exists(path))) {
        await core.kernel.netns.delete(path);
        removed.push(name);
        core.log.warn("removed a file under /run/netns that carries netd's name but is no namespace (a create or delete interrupted by a crash)", { netns: path });
        continue;
      }
      const links = (await core.kernel.links.list(path)).filter((l) => l.name !== "lo");
      if (links.length > 0) {
        core.log.warn("namespace carries netd's name but no sandbox, and is in use; left alone", { netns: path, links: links.map((l) => l.name) });
        continue;
      }
      await core.kernel.netns.delete(path);
      removed.push(name);
      core.log.warn("removed a namespace netd created that no sandbox names (orphan sweep)", { netns: path });
    } catch (e) {
      core.log.warn("orphan namespace could not be removed", { netns: path, error: String(e) });
    }
  }
  return removed;
}
