/**
 * Wraps any Kernel (the fake or the real one) so that the N-th state-changing call after
 * `arm(n)` fails (`mode: "fail"`, fault injection), never returns (`mode: "hang"`, a crash
 * frozen at that instant: the caller's operation stops exactly there, as if the daemon had
 * been killed), or never returns and takes every later call with it (`mode: "die"`: work the
 * dead daemon had running in the background, such as a deferred delete, stops too, until the
 * next `arm`). Reads pass through and are not counted, except after a "die".
 */
import type { Kernel } from "@netd/driverapi";
import { injectedError, MUTATING_METHODS, type KernelMethod } from "./faults.js";

export interface InterruptingKernel {
  /** The wrapped Kernel to hand to the code under test. */
  readonly kernel: Kernel;
  /** Counts state-changing calls from now on; the `n`-th (1-based) is interrupted. */
  arm(n: number, mode: "fail" | "hang" | "die"): void;
  /** Stops interrupting. */
  disarm(): void;
  /** State-changing calls since `arm`. */
  readonly count: number;
  /** The interrupted call, once it happened. */
  readonly hit: { readonly method: KernelMethod; readonly args: readonly unknown[] } | null;
  /** Resolves when the armed call is reached. */
  reached(): Promise<void>;
}

const GROUPS = ["netns", "links", "addresses", "routes", "sysctl", "nft", "conntrack"] as const;

export function interruptKernel(inner: Kernel): InterruptingKernel {
  let target = 0;
  let mode: "fail" | "hang" | "die" = "fail";
  let dead = false;
  let count = 0;
  let hit: InterruptingKernel["hit"] = null;
  let onHit: (() => void) | null = null;
  let hitPromise = new Promise<void>((r) => (onHit = r));

  const wrapGroup = <T extends object>(group: string, api: T): T => {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(api)) {
      if (typeof fn !== "function") continue;
      const method = `${group}.${name}` as KernelMethod;
      out[name] = (...args: unknown[]): unknown => {
        if (dead) return new Promise(() => undefined);
        if (target > 0 && MUTATING_METHODS.has(method)) {
          count++;
          if (count === target) {
            hit = { method, args };
            onHit?.();
            dead = mode === "die";
            if (mode !== "fail") return new Promise(() => undefined);
            return Promise.reject(injectedError(method));
          }
        }
        return (fn as (...a: unknown[]) => unknown).apply(api, args);
      };
    }
    return out as T;
  };

  const kernel = Object.fromEntries(GROUPS.map((g) => [g, wrapGroup(g, inner[g])])) as unknown as Record<(typeof GROUPS)[number], unknown>;
  const wrapped: Kernel = { ...(kernel as unknown as Omit<Kernel, "close">), close: () => inner.close() };
  return {
    kernel: wrapped,
    arm(n, m) {
      target = n;
      mode = m;
      count = 0;
      dead = false;
      hit = null;
      hitPromise = new Promise<void>((r) => (onHit = r));
    },
    disarm() {
      target = 0;
    },
    get count() {
      return count;
    },
    get hit() {
      return hit;
    },
    reached: () => hitPromise,
  };
}
