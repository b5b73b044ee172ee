/**
 * Veth deletion, built to go off the API's critical path: RTM_DELLINK returns only after the
 * kernel's RCU grace period and reference-count wait (~20 ms per link), so leave takes the host
 * end down (the container is cut off the bridge at once), records the link as doomed in the
 * operation's own durable commit, and hands the delete to this reaper. A daemon that dies
 * before the delete finished finds the doomed record at restore and deletes the link then.
 *
 * Work that needs the links gone waits for the reaper: a join into a sandbox namespace where
 * the peer of a veth being deleted still holds its name (the join must get the same interface
 * name back), network deletion, shutdown and cleanup. A new namespace at the same path (the
 * old one was deleted, and the peer with it) has nothing to wait for.
 */
import type { Kernel, NetnsPath } from "@netd/driverapi";

interface Doomed {
  /** The sandbox namespace the veth's peer lives in. */
  readonly sandboxNetns: NetnsPath;
  /** The peer's name in that namespace. */
  readonly peer: string;
  readonly done: Promise<void>;
}

export class VethReaper {
  private readonly pending = new Map<string, Doomed>();
  private readonly finished = new Set<string>();

  /**
   * Starts deleting `name` in `hostNetns`, retried once (deleting is idempotent, and a passing
   * failure should not leave a downed veth until the next start). A second failure is logged
   * through `onError` and the name is not reported finished, so its doomed record stays for
   * restore to retry.
   */
  delete(kernel: Kernel, hostNetns: NetnsPath, name: string, sandbox: { readonly netns: NetnsPath; readonly peer: string }, onError: (e: unknown) => void): void {
    const done = kernel.links.delete(hostNetns, name).catch(() => kernel.links.delete(hostNetns, name)).then(
      () => {
        this.finished.add(name);
      },
      (e: unknown) => onError(e),
    );
    this.pending.set(name, { sandboxNetns: sandbox.netns, peer: sandbox.peer, done });
    void done.finally(() => {
      if (this.pending.get(name)?.done === done) this.pending.delete(name);
    });
  }

  /** True while `name` is being deleted. */
  has(name: string): boolean {
    return this.pending.has(name);
  }

  /**
   * Waits until the links being deleted whose peer is one of `present` (the links now in
   * `sandboxNetns`) are gone (or failed); answers whether it waited.
   */
  async settled(sandboxNetns: NetnsPath, present: ReadonlySet<string>): Promise<boolean> {
    const holding = [...this.pending.values()].filter((d) => d.sandboxNetns === sandboxNetns && present.has(d.peer));
    await Promise.all(holding.map((d) => d.done));
    return holding.length > 0;
  }

  /** Waits until every link handed over so far is gone (or failed). */
  async settledAll(): Promise<void> {
    await Promise.all([...this.pending.values()].map((d) => d.done));
  }

  /** Names deleted since the last call, whose doomed records can go. */
  takeFinished(): string[] {
    const names = [...this.finished];
    this.finished.clear();
    return names;
  }
}
