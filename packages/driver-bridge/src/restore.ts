/**
 * restore (daemon start, before core replays gateway changes): rebuild the in-memory state
 * from what the previous daemon persisted and from core's snapshot, re-create a bridge or a
 * veth that vanished, sweep orphans (sweep.ts), let the publisher re-create its bindings, then apply the whole nft
 * table in one replace (no gap in DNAT: elements are recorded first, applied once).
 */
import type { DriverContext, DriverRestoreSnapshot } from "@netd/driverapi";
import type { BridgeFirewallImpl } from "./firewall/firewall.js";
import type { BridgeEndpoint, BridgeNetworkConfig, Publisher } from "./model.js";
import { buildBridge } from "./network/create-network.js";
import { syncRouteFlags } from "./endpoint/gateway-routes.js";
import { configureContainerEnd } from "./endpoint/container-addresses.js";
import { bringUpPort, createVeth } from "./endpoint/create-veth.js";
import { parseNetworkConfig } from "./options.js";
import type { DriverState, EndpointState } from "./state.js";
import { UndoStack } from "@netd/driverapi";
import { sweepOrphans } from "./sweep.js";

export async function restoreDriver(ctx: DriverContext, state: DriverState, firewall: BridgeFirewallImpl, publisher: Publisher, snapshot: DriverRestoreSnapshot, userlandProxy: boolean): Promise<void> {
  const saved = await state.load(ctx.state);
  // Veths a previous daemon had handed to its reaper: the delete may not have finished.
  for (const name of await state.loadDoomed(ctx.state)) {
    await ctx.kernel.links.delete(ctx.hostNetns, name);
    await state.deleteDoomed(ctx.state, name);
  }
  const savedNets = new Map(saved.networks.map((n) => [n.id, n]));
  const savedEps = new Map(saved.endpoints.map((e) => [e.endpoint.id, e]));
  firewall.beginRestore();

  for (const info of snapshot.networks) {
    let config: BridgeNetworkConfig;
    try {
      config = savedNets.get(info.id) ?? parseNetworkConfig(info);
    } catch (e) {
      ctx.log.error("cannot restore bridge network: its options no longer validate", { network: info.name, error: String(e) });
      continue;
    }
    if (!(await ctx.kernel.links.get(ctx.hostNetns, config.bridgeName))) {
      ctx.log.warn("bridge vanished while netd was down; re-creating it", { network: config.name, bridge: config.bridgeName });
      await buildBridge(ctx, config, new UndoStack(), userlandProxy, state.mark);
    }
    await state.putNetwork(ctx.state, config);
  }

  for (const { endpoint: info, sandbox } of snapshot.endpoints) {
    const network = state.networks.get(info.networkId);
    const rec = savedEps.get(info.id);
    if (!sandbox || !network) continue;
    if (!rec) {
      ctx.log.error("joined endpoint has no saved bridge state; it cannot be restored", { endpoint: info.id, sandbox: sandbox.name });
      continue;
    }
    let restored: EndpointState = rec;
    const hostEnd = await ctx.kernel.links.get(ctx.hostNetns, rec.endpoint.hostIfname);
    if (hostEnd && !hostEnd.up) {
      // A leave takes the host end down before its commit; a crash in between leaves the
      // endpoint joined in the store with its bridge port down.
      ctx.log.warn("joined endpoint's veth was down (interrupted leave); bringing it up", { endpoint: info.id, veth: rec.endpoint.hostIfname });
      await ctx.kernel.links.set(ctx.hostNetns, rec.endpoint.hostIfname, { up: true });
    }
    if (!hostEnd) {
      ctx.log.warn("veth vanished while netd was down; re-creating it", { endpoint: info.id, veth: rec.endpoint.hostIfname });
      await ctx.kernel.links.delete(rec.endpoint.netns, rec.endpoint.ifname);
      await createVeth(ctx, network, rec.endpoint, new UndoStack());
      await bringUpPort(ctx, rec.endpoint);
      await configureContainerEnd(ctx, info, rec.endpoint);
      restored = { endpoint: rec.endpoint, routes: { 4: false, 6: false } };
    }
    await state.putEndpoint(ctx.state, restored);
  }

  // Entries the previous daemon left for objects core no longer has go with their kernel
  // objects, and links carrying this driver's marks that nothing names are removed.
  await sweepOrphans(ctx, state, savedNets, savedEps);

  await syncRouteFlags(ctx, state);
  const endpoints: BridgeEndpoint[] = [...state.endpoints.values()].map((e) => e.endpoint);
  for (const n of state.networks.values()) firewall.load(n, endpoints.filter((e) => e.networkId === n.id));
  await publisher.restore(ctx.state, endpoints);
  await firewall.reconcile();
}
