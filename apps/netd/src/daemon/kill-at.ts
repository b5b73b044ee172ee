/**
 * A test seam for crash tests at exact points: with `NETD_TEST_KILL_AT` set, the daemon
 * SIGKILLs itself right after the N-th completed kernel call of a method, or right after the
 * N-th store batch that writes a record of a kind (a real kill -9: nothing after that point
 * runs, no handler, no flush). Unset (always, outside tests), the kernel and the store are
 * returned as they are.
 *
 * Syntax: `kernel:<method>:<n>` (e.g. `kernel:links.addBridge:1`) or `store:<kind>:<n>` (e.g.
 * `store:intent:1`, counting batches that put or delete a record of that kind). Counting starts
 * once the daemon has restored, so a kill point names a call of the first API operations.
 */
import type { Kernel } from "@netd/driverapi";
import type { Store } from "@netd/libnet-core";

export const KILL_AT_ENV = "NETD_TEST_KILL_AT";

interface KillPoint {
  readonly where: "kernel" | "store";
  readonly what: string;
  readonly nth: number;
}

function parse(spec: string): KillPoint {
  const m = /^(kernel|store):([A-Za-z.]+):([1-9][0-9]*)$/.exec(spec);
  if (!m) throw new Error(`${KILL_AT_ENV}='${spec}' is not kernel:<method>:<n> or store:<kind>:<n>`);
  return { where: m[1] as "kernel" | "store", what: m[2]!, nth: Number(m[3]) };
}

/** Wraps the kernel and the store when the variable is set; `arm()` starts counting (after restore). */
export function killSeam(kernel: Kernel, store: Store, spec = process.env[KILL_AT_ENV]): { kernel: Kernel; store: Store; arm(): void } {
  if (spec === undefined || spec === "") return { kernel, store, arm: () => undefined };
  const point = parse(spec);
  let armed = false;
  let seen = 0;
  const hit = (): void => {
    if (!armed || ++seen < point.nth) return;
    process.stderr.write(`netd: ${KILL_AT_ENV}=${spec}: killing myself\n`);
    process.kill(process.pid, "SIGKILL");
  };
  const arm = (): void => {
    armed = true;
  };
  if (point.where === "store") {
    const wrapped: Store = {
      apply: async (ops, options) => {
        await store.apply(ops, options);
        if (ops.some((op) => op.kind === point.what)) hit();
      },
      get: (kind, id) => store.get(kind, id),
      list: (kind) => store.list(kind),
      close: () => store.close(),
    };
    return { kernel, store: wrapped, arm };
  }
  const [group, method] = point.what.split(".") as [keyof Kernel, string];
  // Reads through Reflect: the groups are objects of closures (no `this`).
  const target: unknown = Reflect.get(kernel, group);
  if (typeof target !== "object" || target === null) throw new Error(`${KILL_AT_ENV}: the kernel has no group ${group}`);
  const fn: unknown = Reflect.get(target, method);
  if (typeof fn !== "function") throw new Error(`${KILL_AT_ENV}: the kernel has no method ${point.what}`);
  const wrappedMethod = async (...args: unknown[]): Promise<unknown> => {
    const result: unknown = await Reflect.apply(fn, target, args);
    hit();
    return result;
  };
  const replaced = new Proxy(target, { get: (t, p) => (p === method ? wrappedMethod : Reflect.get(t, p) as unknown) });
  return { kernel: new Proxy(kernel, { get: (k, p) => (p === group ? replaced : Reflect.get(k, p) as unknown) }), store, arm };
}
