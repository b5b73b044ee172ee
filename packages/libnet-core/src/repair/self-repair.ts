/**
 * Self-repair: notices that someone else changed what drivers own in the host namespace
 * (`nft flush ruleset`, `nft delete table inet netd`) and has the drivers re-apply it from
 * their state, within about `intervalMs` plus one reconcile.
 *
 * Cheap by design: every tick reads the namespace's count of foreign nft commits
 * (`nft.foreignChanges`, one netlink request with the Linux Kernel) and asks the drivers'
 * `reconcile` only when it changed since the last check, or when `fullCheckMs` passed.
 * netd's own updates do not move that count, so a busy daemon does not list its tables
 * (O(sandboxes)) four times a second. A Kernel with only `nft.generation` is polled on that
 * instead (it moves with netd's own updates too; reconcile then finds nothing), and one with
 * neither gets a reconcile every tick. Core never names a driver's table.
 */
import type { Kernel, Logger, NetnsPath } from "@netd/driverapi";

/** Options of {@link Controller.startSelfRepair}. */
export interface SelfRepairOptions {
  /** How often the generation is read, in ms. Default 250. */
  readonly intervalMs?: number;
  /** Drivers are asked at least this often even without a generation change, in ms. Default 30000. */
  readonly fullCheckMs?: number;
  /** Called with the names of the drivers that repaired something. */
  readonly onRepaired?: (drivers: readonly string[]) => void;
}

/** A running watcher. */
export interface SelfRepair {
  /** Runs one check now (the generation check is skipped); resolves to the drivers that repaired. */
  checkNow(): Promise<string[]>;
  /** Stops watching; waits for a check in progress. Idempotent. */
  stop(): Promise<void>;
}

/** What the watcher needs from the controller. */
export interface SelfRepairDeps {
  readonly kernel: Kernel;
  readonly hostNetns: NetnsPath;
  readonly log: Logger;
  /** Every driver's reconcile; the names of those that repaired. */
  reconcile(): Promise<string[]>;
}

export function startSelfRepair(deps: SelfRepairDeps, options: SelfRepairOptions = {}): SelfRepair {
  const intervalMs = options.intervalMs ?? 250;
  const fullCheckMs = options.fullCheckMs ?? 30_000;
  let lastGeneration: number | undefined;
  let lastCheck = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Checks never overlap: a tick and checkNow queue behind each other.
  let queue: Promise<unknown> = Promise.resolve();

  const check = (force: boolean): Promise<string[]> => {
    const run = queue.then(async () => {
      let generation: number | undefined;
      try {
        const nft = deps.kernel.nft;
        generation = await (nft.foreignChanges ? nft.foreignChanges(deps.hostNetns) : nft.generation?.(deps.hostNetns));
      } catch (e) {
        deps.log.warn("cannot read the nftables generation; checking the drivers instead", { error: String(e) });
      }
      const now = Date.now();
      if (!force && generation !== undefined && generation === lastGeneration && now - lastCheck < fullCheckMs) return [];
      lastGeneration = generation;
      lastCheck = now;
      const repaired = await deps.reconcile();
      if (repaired.length > 0) options.onRepaired?.(repaired);
      return repaired;
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const loop = (): void => {
    if (stopped) return;
    void check(false)
      .catch((e: unknown) => deps.log.error("self-repair check failed", { error: String(e) }))
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(loop, intervalMs);
        // The watcher alone must not keep the process alive.
        timer.unref();
      });
  };
  loop();

  return {
    checkNow: () => check(true),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await queue;
    },
  };
}
