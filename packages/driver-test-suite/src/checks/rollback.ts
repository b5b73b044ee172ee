/**
 * Rollback on every failure point and recovery after a crash at every point. A dry run
 * counts the kernel calls a hook makes; then, once per call, a fresh world fails (or
 * freezes) exactly that call and the suite compares the kernel with its state before the
 * hook.
 */
import type { ConformanceOptions, Finding } from "../types.js";
import type { Harness } from "../harness/harness.js";
import { diff, showDiff } from "../harness/observe.js";
import { describeCall } from "../harness/recorder.js";
import { errorText, Findings, scenario, step } from "./scenario.js";

/** One hook under test: what runs before it, the hook itself, and what core does after it failed. */
interface Target {
  readonly hook: string;
  /** Applies: false skips the target (e.g. an absent optional hook). */
  readonly applies: (h: Harness) => boolean;
  readonly setup: (h: Harness) => Promise<Ctx>;
  readonly run: (h: Harness, c: Ctx) => Promise<unknown>;
  /** What core does after the hook failed (for a join's gateway change: leave and deleteEndpoint). */
  readonly afterFailure: (h: Harness, c: Ctx) => Promise<void>;
  /** What the restarted daemon does after a crash in the hook. */
  readonly recover: (h: Harness, c: Ctx) => Promise<void>;
  readonly crash: boolean;
}

type Ctx = Awaited<ReturnType<typeof baseSetup>>;

async function baseSetup(h: Harness, upTo: "none" | "network" | "endpoint" | "joined") {
  const network = h.network(0);
  let endpoint = h.endpoint(network, 0);
  const sandbox = await h.sandbox();
  let result = null as Awaited<ReturnType<Harness["attach"]>>["result"] | null;
  if (upTo !== "none") await step("createNetwork", () => h.call((ctx) => h.driver.createNetwork(ctx, network)));
  if ((upTo === "endpoint" || upTo === "joined") && h.driver.createEndpoint) {
    const created = await step("createEndpoint", () => h.call((ctx) => h.driver.createEndpoint!(ctx, network, endpoint)));
    if (created && created.mac) endpoint = { ...endpoint, mac: created.mac };
  }
  // For a failure after join, core's rollback (leave) must restore the kernel as before the join.
  const preJoin = upTo === "joined" ? await h.snapshot() : null;
  if (upTo === "joined") result = (await step("join", () => h.call((ctx) => h.driver.join(ctx, network, endpoint, sandbox))));
  return { network, endpoint, sandbox, result, preJoin };
}

const nothing = (): Promise<void> => Promise.resolve();

const TARGETS: readonly Target[] = [
  {
    hook: "createNetwork",
    applies: () => true,
    setup: (h) => baseSetup(h, "none"),
    run: (h, c) => h.call((ctx) => h.driver.createNetwork(ctx, c.network)),
    afterFailure: nothing,
    recover: async (h, c) => {
      await h.restart({ networks: [], endpoints: [] });
      await h.call((ctx) => h.driver.deleteNetwork(ctx, c.network));
    },
    crash: true,
  },
  {
    hook: "createEndpoint",
    applies: (h) => h.driver.createEndpoint !== undefined,
    setup: (h) => baseSetup(h, "network"),
    run: (h, c) => h.call((ctx) => h.driver.createEndpoint!(ctx, c.network, c.endpoint)),
    afterFailure: nothing,
    recover: async (h, c) => {
      await h.restart({ networks: [c.network], endpoints: [] });
      if (h.driver.deleteEndpoint) await h.call((ctx) => h.driver.deleteEndpoint!(ctx, c.network, c.endpoint));
    },
    crash: true,
  },
  {
    hook: "join",
    applies: () => true,
    setup: (h) => baseSetup(h, "endpoint"),
    run: (h, c) => h.call((ctx) => h.driver.join(ctx, c.network, c.endpoint, c.sandbox)),
    afterFailure: nothing,
    recover: async (h, c) => {
      await h.restart({ networks: [c.network], endpoints: [{ endpoint: c.endpoint, sandbox: null }] });
      await h.call((ctx) => h.driver.leave(ctx, c.network, c.endpoint, c.sandbox));
      if (h.driver.deleteEndpoint) await h.call((ctx) => h.driver.deleteEndpoint!(ctx, c.network, c.endpoint));
    },
    crash: true,
  },
  {
    hook: "onGatewayChange during a join",
    applies: (h) => h.driver.onGatewayChange !== undefined,
    setup: (h) => baseSetup(h, "joined"),
    run: (h, c) => {
      const eligible4 = !c.network.internal && c.endpoint.ipv4 !== null && (c.result!.gateway4 !== null || c.result!.forceGateway4 === true);
      const eligible6 = !c.network.internal && c.endpoint.ipv6 !== null && (c.result!.gateway6 !== null || c.result!.forceGateway6 === true);
      return h.gatewayChange(c.sandbox, eligible4 ? c.endpoint.id : null, eligible6 ? c.endpoint.id : null, [c.endpoint]);
    },
    // Core rolls the join back: leave, then deleteEndpoint.
    afterFailure: async (h, c) => {
      await h.call((ctx) => h.driver.leave(ctx, c.network, c.endpoint, c.sandbox));
      if (h.driver.deleteEndpoint) await h.call((ctx) => h.driver.deleteEndpoint!(ctx, c.network, c.endpoint));
    },
    recover: nothing,
    crash: false,
  },
];

/** Reports at most this many failure points per hook; the rest are counted. */
const MAX_PER_HOOK = 3;

export async function checkRollback(options: ConformanceOptions): Promise<Finding[]> {
  return run(options, "rollback");
}

export async function checkCrashRecovery(options: ConformanceOptions): Promise<Finding[]> {
  return run(options, "crash-recovery");
}

async function run(options: ConformanceOptions, kind: "rollback" | "crash-recovery"): Promise<Finding[]> {
  const f = new Findings(kind);
  for (const t of TARGETS) {
    if (kind === "crash-recovery" && !t.crash) continue;
    let total = 0;
    let applies = true;
    await scenario(options, f, `${t.hook} (dry run, counting its kernel calls)`, async (h) => {
      applies = t.applies(h);
      if (!applies) return;
      const c = await t.setup(h);
      const mark = h.recorder.calls.length;
      await step(t.hook, () => t.run(h, c));
      total = h.recorder.since(mark).length;
    });
    if (!applies) continue;
    let bad = 0;
    for (let i = 1; i <= total; i++) {
      const before = f.list.length;
      await scenario(options, f, `${t.hook} with its kernel call ${i} of ${total} ${kind === "rollback" ? "failing" : "never returning (the daemon was killed)"}`, (h) =>
        kind === "rollback" ? failAt(h, t, i, total, f) : crashAt(h, t, i, total, f),
      );
      if (f.list.length > before) {
        bad++;
        if (bad > MAX_PER_HOOK) f.list.splice(before);
      }
    }
    if (bad > MAX_PER_HOOK) f.add(`${t.hook}: ${bad - MAX_PER_HOOK} more failure point(s) of ${total} left something behind (first ${MAX_PER_HOOK} shown above).`);
  }
  return f.list;
}

async function failAt(h: Harness, t: Target, i: number, total: number, f: Findings): Promise<void> {
  const c = await t.setup(h);
  const before = c.preJoin ?? (await h.snapshot());
  h.interrupt.arm(i, "fail");
  let threw: unknown = null;
  try {
    await t.run(h, c);
  } catch (e) {
    threw = e;
  }
  const hit = h.interrupt.hit;
  h.interrupt.disarm();
  // A driver may tolerate a failing call (best effort); it then completed and there is nothing to roll back.
  if (threw === null || hit === null) return;
  try {
    await t.afterFailure(h, c);
  } catch (e) {
    f.add(`${t.hook} failed at its kernel call ${i} of ${total} (${describeCall({ method: hit.method, args: hit.args, failed: true })}); core then rolled back with leave/deleteEndpoint, which threw ${errorText(e)}.`);
    return;
  }
  const left = diff(before, await h.snapshot());
  if (left.length > 0) {
    const after = t.afterFailure === nothing ? "" : " and core rolled the join back with leave/deleteEndpoint";
    f.add(
      `${t.hook} failed at its kernel call ${i} of ${total} (${describeCall({ method: hit.method, args: hit.args, failed: true })})${after}, but the kernel is not as before the call:\n${showDiff(left)}\n` +
        "Undo every step already done, in reverse order, before rethrowing (UndoStack from @netd/driverapi).",
    );
  }
}

async function crashAt(h: Harness, t: Target, i: number, total: number, f: Findings): Promise<void> {
  const c = await t.setup(h);
  const before = await h.snapshot();
  h.interrupt.arm(i, "hang");
  const pending = t.run(h, c).then(
    () => "returned",
    () => "threw",
  );
  const outcome = await Promise.race([h.interrupt.reached().then(() => "frozen"), pending]);
  const hit = h.interrupt.hit;
  h.interrupt.disarm();
  if (outcome !== "frozen" || hit === null) return;
  try {
    await t.recover(h, c);
  } catch (e) {
    f.add(`${t.hook} was interrupted at its kernel call ${i} of ${total} (${describeCall({ method: hit.method, args: hit.args, failed: true })}); the restarted daemon's undo (restore, then delete/leave with the same infos) threw ${errorText(e)}. Those hooks must work from the infos alone and treat "already gone" as success.`);
    return;
  }
  const left = diff(before, await h.snapshot());
  if (left.length > 0) {
    f.add(
      `${t.hook} was interrupted at its kernel call ${i} of ${total} (${describeCall({ method: hit.method, args: hit.args, failed: true })}); after the restarted daemon undid it (restore, then delete/leave with the same infos, the interrupted call's state writes discarded) the kernel still differs:\n${showDiff(left)}\n` +
        "Derive kernel object names from ids or options (not from ctx.state alone) so the undo finds what a half-finished call made.",
    );
  }
}
