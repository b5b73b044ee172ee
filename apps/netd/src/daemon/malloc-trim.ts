/**
 * Gives the native heap's free pages back after changes. libnftables (on libuv's pool
 * threads) and V8's helper threads free what they allocated per transaction, but glibc keeps
 * those pages resident in each thread's arena: at 1,000 sandboxes that was tens of MB of the
 * daemon's RSS. One `malloc_trim` at most once a second while changes happen costs well
 * under a millisecond and nothing while the daemon is idle.
 */
import type { EventBus } from "../api/events.js";

/** Trims `delayMs` after the first event of a burst; returns the function that stops it. */
export function trimAfterChanges(events: EventBus, trim: () => unknown, delayMs = 1000): () => void {
  let timer: NodeJS.Timeout | undefined;
  const unsubscribe = events.subscribe(() => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      trim();
    }, delayMs);
    timer.unref();
  });
  return () => {
    unsubscribe();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
