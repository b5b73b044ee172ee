/**
 * Step 3 of startup: operations a crash interrupted, found by their intents. Creates and
 * joins are undone (the records never committed, so only the kernel may hold something: the
 * drivers' teardown hooks remove it, working from the infos in the intent); deletes and
 * leaves are finished through the normal path. Runs after the drivers' `restore`, so each
 * driver already holds its committed state. Each intent is removed by its own commit;
 * a crash during recovery leaves it for the next start (every step is idempotent).
 */
import type { Core } from "../core.js";
import { contextFor, toEndpointInfo, toNetworkInfo, toSandboxInfo } from "../core.js";
import type { EndpointRecord, SandboxRecord } from "../model.js";
import type { Intent, StoredIntent } from "./intent.js";
import type { Txn } from "./transaction.js";

/** The controller operations that finish an interrupted delete or leave. */
export interface Finishers {
  deleteNetwork(id: string): Promise<void>;
  deleteSandbox(id: string): Promise<unknown[]>;
  leave(endpointId: string, sandboxId: string, deleteEndpoint: boolean): Promise<unknown>;
  deleteEndpoint(id: string): Promise<void>;
}

export async function recoverInterrupted(core: Core, finish: Finishers): Promise<void> {
  const intents = (await core.store.list<StoredIntent>("intent")).sort((a, b) => a.value.at - b.value.at);
  for (const { id, value } of intents) {
    core.log.warn("finishing an operation interrupted by a crash", { op: value.op, intent: id });
    try {
      await recoverOne(core, finish, value);
    } catch (e) {
      core.log.error("recovery of an interrupted operation failed; it is retried at the next start", { op: value.op, intent: id, error: String(e) });
      continue;
    }
    await core.store.apply([{ op: "delete", kind: "intent", id }]);
  }
}

async function recoverOne(core: Core, finish: Finishers, intent: Intent): Promise<void> {
  const { state } = core;
  switch (intent.op) {
    case "createNetwork": {
      if (state.networks.has(intent.network.id)) return;
      const driver = core.registry.get(intent.network.driver);
      await undoWith(core, driver.name, (txn) => driver.deleteNetwork(contextFor(core, driver, txn), toNetworkInfo(intent.network)));
      return;
    }
    case "deleteNetwork":
      if (state.networks.has(intent.networkId)) await finish.deleteNetwork(intent.networkId);
      return;
    case "createSandbox":
      if (!state.sandboxes.has(intent.sandbox.id) && intent.sandbox.netnsOwned) await core.kernel.netns.delete(intent.sandbox.netns);
      return;
    case "deleteSandbox":
      if (state.sandboxes.has(intent.sandboxId)) await finish.deleteSandbox(intent.sandboxId);
      return;
    case "connect": {
      if (state.endpoints.has(intent.endpoint.id)) return;
      const sandbox = intent.sandboxId ? state.sandboxes.get(intent.sandboxId) : undefined;
      await undoEndpoint(core, intent.endpoint, sandbox ?? null, true);
      return;
    }
    case "join": {
      const ep = state.endpoints.get(intent.endpointId);
      const sandbox = state.sandboxes.get(intent.sandboxId);
      if (ep && ep.sandboxId === null && sandbox) await undoEndpoint(core, ep, sandbox, false);
      return;
    }
    case "leave": {
      const ep = state.endpoints.get(intent.endpointId);
      if (ep?.sandboxId === intent.sandboxId) await finish.leave(ep.id, intent.sandboxId, intent.deleteEndpoint);
      else if (ep && ep.sandboxId === null && intent.deleteEndpoint) await finish.deleteEndpoint(ep.id);
      return;
    }
    case "deleteEndpoint":
      if (state.endpoints.has(intent.endpointId)) await finish.deleteEndpoint(intent.endpointId);
      return;
  }
}

/** Undoes an uncommitted join (and, with `created`, the endpoint's creation) in the drivers. */
async function undoEndpoint(core: Core, ep: EndpointRecord, sandbox: SandboxRecord | null, created: boolean): Promise<void> {
  const network = core.state.networks.get(ep.networkId);
  if (!network) return;
  const driver = core.registry.get(network.driver);
  await undoWith(core, driver.name, async (txn) => {
    const ctx = contextFor(core, driver, txn);
    if (sandbox) await driver.leave(ctx, toNetworkInfo(network), toEndpointInfo(ep), toSandboxInfo(sandbox, driver));
    if (created && driver.deleteEndpoint) await driver.deleteEndpoint(ctx, toNetworkInfo(network), toEndpointInfo(ep));
  });
}

/** Runs a driver's teardown in a transaction of its own, committing what it wrote to its state. */
async function undoWith(core: Core, driver: string, fn: (txn: Txn) => Promise<void>): Promise<void> {
  const txn = await core.begin(null);
  try {
    await fn(txn);
  } catch (e) {
    await txn.abandon();
    throw new Error(`driver '${driver}' could not undo it: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  await txn.commit();
}
