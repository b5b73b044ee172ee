/**
 * Veth deletion, built to go off the API's critical path: RTM_DELLINK returns only after the
 * kernel's RCU grace period and reference-count wait (~20 ms per link), so leave takes the host
 * end down (the container is cut off the bridge at once), records the link as doomed in the
 * operation's own durable commit, and hands the delete to this reaper. A daemon that dies
 * before the delete finished finds the doomed record at restore and deletes the link then.
 *
 * Work that needs the links gone waits for the reaper: a join into a sandbox whose previous
 * interface is still being deleted (it must get the same interface name back), network
 * deletion, shutdown and cleanup.
 */
import type { Kernel, NetnsPath } from "@netd/driverapi";

interface Doomed {
  /** The sandbox namespace the veth's peer lives in. */
  readonly sandboxNetns: NetnsPath;
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
  delete(kernel: Kernel, hostNetns: NetnsPath, name: string, sandboxNetns: NetnsPath, onError: (e: unknown) => void): void {
    const done = kernel.links.delete(hostNetns, name).catch(() => kernel.links.delete(hostNetns, name)).then(
      () => {
        this.finished.add(name);
      },
      (e: unknown) => onError(e),
    );
    this.pending.set(name, { sandboxNetns, done });
    void done.finally(() => {
      if (this.pending.get(name)?.done === done) this.pending.delete(name);
    });
  }

  /** True while `name` is being deleted. */
  has(name: string): boolean {
    return this.pending.has(name);
  }

  /** Waits until the links whose peer is in `sandboxNetns` are gone (or failed). */
  async settled(sandboxNetns: NetnsPath): Promise<void> {
    await Promise.all([...this.pending.values()].filter((d) => d.sandboxNetns === sandboxNetns).map((d) => d.done));
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
