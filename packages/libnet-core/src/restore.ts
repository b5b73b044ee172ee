/**
 * Startup, in this order:
 * 1. load the committed records and re-mark IPAM allocations;
 * 2. drop sandboxes whose namespace vanished while netd was down, and let drivers reload
 *    their state (`restore`) — one transaction, committed before anything else runs;
 * 3. undo or finish the operations a crash interrupted (their intents, recover.ts);
 * 4. replay the current gateway state of every sandbox as an event (the reference has no
 *    replay, §2.8 item 9).
 */
import type { Core } from "./core.js";
import { changedParticipants, contextFor, gatewaysOf, joinedEndpoints, participantsOf, rememberDelivered, toEndpointInfo, toNetworkInfo, toSandboxInfo } from "./core.js";
import { deleteEndpoint } from "./endpoint/delete-endpoint.js";
import { forgetNetns } from "./sandbox/netns-owner.js";
import { deliverGatewayChange } from "./gateway/notify.js";
import type { EndpointRecord, NetworkRecord, SandboxRecord } from "./model.js";
import type { Txn } from "./txn/transaction.js";

/** Steps 1 and 2. Returns when the restore transaction is committed. */
export async function restore(core: Core): Promise<void> {
  const { state, store } = core;
  for (const { value } of await store.list<NetworkRecord>("network")) state.networks.set(value.id, value);
  for (const { value } of await store.list<EndpointRecord>("endpoint")) state.endpoints.set(value.id, value);
  for (const { value } of await store.list<SandboxRecord>("sandbox")) state.sandboxes.set(value.id, value);

  for (const n of state.networks.values()) {
    const addresses = [...state.endpoints.ofNetwork(n.id).values()].flatMap((e) => [e.ipv4, e.ipv6].filter((a): a is string => a !== null));
    core.ipam.restoreNetwork(n.id, n.name, { ipv4: n.ipv4, ipv6: n.ipv6 }, addresses);
  }

  const txn = await core.begin(null);
  for (const sb of [...state.sandboxes.values()]) {
    if (await core.kernel.netns.exists(sb.netns)) continue;
    core.log.warn("sandbox namespace vanished while netd was down; removing its endpoints", { sandbox: sb.name, netns: sb.netns });
    await dropVanished(core, txn, sb);
  }

  for (const name of core.registry.names()) {
    const driver = core.registry.get(name);
    if (!driver.restore) continue;
    const networks = [...state.networks.values()].filter((n) => n.driver === name);
    const ids = new Set(networks.map((n) => n.id));
    const endpoints = [...state.endpoints.values()]
      .filter((e) => ids.has(e.networkId))
      .map((e) => {
        const sb = e.sandboxId ? state.sandboxes.get(e.sandboxId) : undefined;
        return { endpoint: toEndpointInfo(e), sandbox: sb ? toSandboxInfo(sb, driver) : null };
      });
    await driver.restore(contextFor(core, driver, txn), { networks: networks.map(toNetworkInfo), endpoints });
  }
  await txn.commit();
}

async function dropVanished(core: Core, txn: Txn, sb: SandboxRecord): Promise<void> {
  for (const ep of joinedEndpoints(core, sb.id)) {
    const network = core.state.networks.get(ep.networkId);
    if (network) {
      const driver = core.registry.get(network.driver);
      await driver.leave(contextFor(core, driver, txn), toNetworkInfo(network), toEndpointInfo(ep), toSandboxInfo(sb, driver)).catch((e: unknown) => core.log.warn("leave of vanished sandbox failed", { error: String(e) }));
    }
    const detached = { ...ep, sandboxId: null, join: null };
    core.state.endpoints.set(ep.id, detached);
    await deleteEndpoint(core, txn, detached).catch((e: unknown) => core.log.warn("endpoint cleanup failed", { error: String(e) }));
  }
  txn.delete("sandbox", sb.id);
  core.state.sandboxes.delete(sb.id);
  forgetNetns(core, sb.id);
}

/** Step 4: one gateway event per sandbox with joined endpoints, in one transaction. */
export async function replayGateways(core: Core): Promise<void> {
  const txn = await core.begin(null);
  for (const sb of [...core.state.sandboxes.values()]) {
    const joined = joinedEndpoints(core, sb.id);
    if (joined.length === 0) continue;
    const next = gatewaysOf(core, joined);
    const participants = participantsOf(core, txn, joined);
    // Drivers that an interrupted operation's recovery already told are not told again.
    const changed = changedParticipants(core, sb.id, next, participants);
    const failures = await deliverGatewayChange({ sandbox: sb, next, participants: changed, onError: "continue" });
    for (const f of failures) core.log.error("gateway replay failed", { sandbox: sb.name, driver: f.driver, phase: f.phase, error: String(f.error) });
    rememberDelivered(core, sb.id, next, participants);
    if (next.gw4 !== sb.gateways.gw4 || next.gw6 !== sb.gateways.gw6) {
      const updated = { ...sb, gateways: next };
      txn.put("sandbox", sb.id, updated);
      core.state.sandboxes.set(sb.id, updated);
    }
  }
  await txn.commit();
}
