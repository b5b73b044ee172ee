/** A busy world torn down completely, then `shutdown` and `cleanup`. */
import type { ConformanceOptions, Finding } from "../types.js";
import type { Attachment } from "../harness/harness.js";
import { diff, showDiff } from "../harness/observe.js";
import { joinAll, leaveOne } from "./lifecycle.js";
import { Findings, scenario, step } from "./scenario.js";

export async function checkTeardown(options: ConformanceOptions): Promise<Finding[]> {
  const f = new Findings("teardown");
  await scenario(options, f, "two networks, two sandboxes each joined to both, then everything deleted", async (h) => {
    const baseline = await h.snapshot();
    const nets = [h.network(0), h.network(1)];
    for (const n of nets) await step(`createNetwork ${n.name}`, () => h.call((ctx) => h.driver.createNetwork(ctx, n)));
    const sandboxes = [await h.sandbox(), await h.sandbox()];
    const withSandboxes = await h.snapshot();
    const attachments: Attachment[] = [];
    for (const [s, sb] of sandboxes.entries()) {
      for (const n of nets) {
        const a = await step(`join ${n.name} in sandbox ${s}`, () => h.attach(n, h.endpoint(n, s), sb));
        await joinAll(h, attachments, a);
      }
    }
    for (const a of [...attachments].reverse()) await leaveOne(h, attachments, a);
    const afterLeave = diff(withSandboxes, await h.snapshot());
    if (afterLeave.length > 0) f.add(`after every endpoint left, the kernel still holds endpoint state:\n${showDiff(afterLeave)}`);
    for (const n of nets) await step(`deleteNetwork ${n.name}`, () => h.call((ctx) => h.driver.deleteNetwork(ctx, n)));
    const left = diff(baseline, await h.snapshot()).filter((l) => !sandboxes.some((sb) => l.includes(sb.netns)));
    if (left.length > 0) f.add(`after every network was deleted, the host still differs from before the first network:\n${showDiff(left)}`);
    if (h.driver.shutdown) await step("shutdown", () => h.call((ctx) => h.driver.shutdown!(ctx)));
    if (h.driver.cleanup) {
      await step("cleanup", () => h.call((ctx) => h.driver.cleanup!(ctx)));
      const rest = diff(h.pristine, await h.snapshot()).filter((l) => !sandboxes.some((sb) => l.includes(sb.netns)));
      if (rest.length > 0) f.add(`after cleanup (netd cleanup), the host still holds what the driver made, also at restore:\n${showDiff(rest)}`);
      await step("cleanup a second time (it must be idempotent)", () => h.call((ctx) => h.driver.cleanup!(ctx)));
    }
  });
  return f.list;
}
