import type { Core } from "../core.js";
import { joinedEndpoints } from "../core.js";
import { deleteEndpoint } from "../endpoint/delete-endpoint.js";
import type { SandboxRecord } from "../model.js";
import { retryOnce } from "../txn/retry-once.js";
import { leave } from "./leave.js";
import { forgetNetns } from "./netns-owner.js";

/**
 * Deletes a sandbox (reference §1.8) in one transaction: marks it deleting so no gateway
 * events are sent, then for every endpoint `leave` and delete, then removes a namespace netd
 * created. Best effort: returns every failure; the sandbox is gone either way.
 */
export async function deleteSandbox(core: Core, sandbox: SandboxRecord): Promise<unknown[]> {
  core.state.deleting.add(sandbox.id);
  const errors: unknown[] = [];
  const txn = await core.begin({ op: "deleteSandbox", sandboxId: sandbox.id });
  try {
    let current = sandbox;
    for (const ep of joinedEndpoints(core, sandbox.id)) {
      const res = await leave(core, txn, ep, current);
      errors.push(...res.errors);
      current = core.state.sandboxes.get(sandbox.id) ?? current;
      try {
        await deleteEndpoint(core, txn, res.endpoint);
      } catch (e) {
        errors.push(e);
      }
    }
    try {
      // A namespace the caller gave us is theirs: only let go of what the kernel layer caches.
      if (sandbox.netnsOwned) await retryOnce(core.log, "namespace delete", { sandbox: sandbox.name }, () => core.kernel.netns.delete(sandbox.netns));
      else await core.kernel.netns.release(sandbox.netns);
    } catch (e) {
      errors.push(e);
    }
    txn.delete("sandbox", sandbox.id);
    await txn.commit();
    core.state.sandboxes.delete(sandbox.id);
    forgetNetns(core, sandbox.id);
    core.state.delivered.delete(sandbox.id);
  } finally {
    core.state.deleting.delete(sandbox.id);
  }
  for (const e of errors) core.log.warn("sandbox delete step failed", { sandbox: sandbox.name, error: String(e) });
  core.log.info("sandbox deleted", { sandbox: sandbox.name, id: sandbox.id });
  return errors;
}
