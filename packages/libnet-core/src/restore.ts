/**
 * Startup: load the store, re-mark IPAM allocations, drop sandboxes whose namespace vanished
 * while netd was down, let drivers reload their state, then replay the current gateway state
 * of every sandbox as an event (reason "restore") — the reference has no replay (§2.8 item 9).
 */
import type { Core } from "./core.js";
import { gatewaysOf, joinedEndpoints, participantsOf, rememberDelivered, toEndpointInfo, toNetworkInfo, toSandboxInfo } from "./core.js";
import { deleteEndpoint } from "./endpoint/delete-endpoint.js";
import { deliverGatewayChange } from "./gateway/notify.js";
import type { EndpointRecord, NetworkRecord, SandboxRecord } from "./model.js";

export async function restore(core: Core): Promise<void> {
  const { state, store } = core;
  for (const { value } of await store.list<NetworkRecord>("network")) state.networks.set(value.id, value);
  for (const { value } of await store.list<EndpointRecord>("endpoint")) state.endpoints.set(value.id, value);
  for (const { value } of await store.list<SandboxRecord>("sandbox")) state.sandboxes.set(value.id, value);

  for (const n of state.networks.values()) {
    const addresses = [...state.endpoints.values()].filter((e) => e.networkId === n.id).flatMap((e) => [e.ipv4, e.ipv6].filter((a): a is string => a !== null));
    core.ipam.restoreNetwork(n.id, n.name, { ipv4: n.ipv4, ipv6: n.ipv6 }, addresses);
  }

  for (const sb of [...state.sandboxes.values()]) {
    if (await core.kernel.netns.exists(sb.netns)) continue;
    core.log.warn("sandbox namespace vanished while netd was down; removing its endpoints", { sandbox: sb.name, netns: sb.netns });
    for (const ep of joinedEndpoints(core, sb.id)) {
      const network = state.networks.get(ep.networkId);
      if (network) {
        const driver = core.registry.get(network.driver);
        await driver.leave(core.contextFor(driver), toNetworkInfo(network), toEndpointInfo(ep), toSandboxInfo(sb)).catch((e: unknown) => core.log.warn("leave of vanished sandbox failed", { error: String(e) }));
      }
      const detached = { ...ep, sandboxId: null, join: null };
      state.endpoints.set(ep.id, detached);
      await deleteEndpoint(core, detached).catch((e: unknown) => core.log.warn("endpoint cleanup failed", { error: String(e) }));
    }
    await store.apply([{ op: "delete", kind: "sandbox", id: sb.id }]);
    state.sandboxes.delete(sb.id);
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
        return { endpoint: toEndpointInfo(e), sandbox: sb ? toSandboxInfo(sb) : null };
      });
    await driver.restore(core.contextFor(driver), { networks: networks.map(toNetworkInfo), endpoints });
  }

  for (const sb of [...state.sandboxes.values()]) {
    const joined = joinedEndpoints(core, sb.id);
    if (joined.length === 0) continue;
    const next = gatewaysOf(core, joined);
    const participants = participantsOf(core, joined);
    const failures = await deliverGatewayChange({ sandbox: toSandboxInfo(sb), next, previous: sb.gateways, reason: "restore", participants, onError: "continue" });
    for (const f of failures) core.log.error("gateway replay failed", { sandbox: sb.name, driver: f.driver, phase: f.phase, error: String(f.error) });
    rememberDelivered(core, sb.id, next, participants);
    if (next.gw4 !== sb.gateways.gw4 || next.gw6 !== sb.gateways.gw6) {
      const updated = { ...sb, gateways: next };
      await store.apply([{ op: "put", kind: "sandbox", id: sb.id, value: updated }]);
      state.sandboxes.set(sb.id, updated);
    }
  }
}
