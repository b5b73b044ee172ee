/**
 * The driver's half of restore's orphan sweep: after restore rebuilt the state core still
 * knows, compare it with the kernel and with what the previous daemon persisted, and remove
 * what belongs to neither. Intents undo every operation a crash interrupted; the sweep is what
 * still holds when one is missing, and what keeps a stale state entry from outliving its
 * kernel objects.
 *
 * Only what carries this driver's names or marks is removed: bridges with this instance's MAC
 * mark (`isOwnBridgeMac`), and veths with netd's derived names (`veth` + 7 hex) that are ports
 * of such a bridge. Addresses, routes and the container end go with their link; nft elements
 * go with the table replace that ends restore; host-port sockets died with the old process.
 */
import type { DriverContext, LinkInfo } from "@netd/driverapi";
import { HOST_VETH_PATTERN, isNetdBridgeMac, isOwnBridgeMac } from "./endpoint/names.js";
import type { BridgeNetworkConfig } from "./model.js";
import type { DriverState, EndpointState } from "./state.js";
import { forgetStored } from "./publish/records.js";

/** What one sweep removed (logged, and returned for tests). */
export interface SweepResult {
  readonly bridges: string[];
  readonly veths: string[];
  readonly stateEntries: string[];
}

/**
 * Drops saved entries core no longer has, with their kernel objects, then sweeps links the
 * state does not name. `savedNets`/`savedEps` are what the previous daemon persisted.
 */
export async function sweepOrphans(ctx: DriverContext, state: DriverState, savedNets: ReadonlyMap<string, BridgeNetworkConfig>, savedEps: ReadonlyMap<string, EndpointState>): Promise<SweepResult> {
  const result: SweepResult = { bridges: [], veths: [], stateEntries: [] };
  const links = await ctx.kernel.links.list(ctx.hostNetns);
  const byName = new Map(links.map((l) => [l.name, l]));
  const knownVeths = new Set([...state.endpoints.values()].map((e) => e.endpoint.hostIfname));
  const knownBridges = new Set([...state.networks.values()].map((n) => n.bridgeName));

  const removeLink = async (name: string, list: string[]): Promise<void> => {
    if (!byName.has(name)) return;
    try {
      await ctx.kernel.links.delete(ctx.hostNetns, name);
      byName.delete(name);
      list.push(name);
    } catch (e) {
      ctx.log.warn("orphan link could not be removed", { link: name, error: String(e) });
    }
  };
  const removeBridge = async (bridge: string): Promise<void> => {
    // Its netd veths first: without the bridge they would be unowned and never swept.
    for (const l of [...byName.values()]) if (l.kind === "veth" && l.master === bridge && HOST_VETH_PATTERN.test(l.name) && !knownVeths.has(l.name)) await removeLink(l.name, result.veths);
    await removeLink(bridge, result.bridges);
  };

  for (const [id, rec] of savedEps) {
    if (state.endpoints.has(id)) continue;
    if (!knownVeths.has(rec.endpoint.hostIfname)) await removeLink(rec.endpoint.hostIfname, result.veths);
    await state.deleteEndpoint(ctx.state, id);
    result.stateEntries.push(`endpoint ${id.slice(0, 12)}`);
  }
  for (const [id, config] of savedNets) {
    if (state.networks.has(id)) continue;
    const link: LinkInfo | undefined = byName.get(config.bridgeName);
    if (link?.kind === "bridge" && isNetdBridgeMac(link.mac) && !knownBridges.has(config.bridgeName)) await removeBridge(config.bridgeName);
    await state.deleteNetwork(ctx.state, id);
    result.stateEntries.push(`network ${config.name}`);
  }
  // Published-port records of endpoints the state no longer has.
  for (const { key } of await ctx.state.list("ports/")) {
    const id = key.slice("ports/".length);
    if (state.endpoints.has(id)) continue;
    await forgetStored(ctx.state, id);
    result.stateEntries.push(`ports of ${id.slice(0, 12)}`);
  }

  for (const l of [...byName.values()]) {
    if (l.kind === "bridge" && isOwnBridgeMac(l.mac, state.mark) && !knownBridges.has(l.name)) await removeBridge(l.name);
  }
  for (const l of [...byName.values()]) {
    if (l.kind === "veth" && l.master !== null && knownBridges.has(l.master) && HOST_VETH_PATTERN.test(l.name) && !knownVeths.has(l.name)) await removeLink(l.name, result.veths);
  }
  if (result.bridges.length + result.veths.length + result.stateEntries.length > 0) {
    ctx.log.warn("orphan sweep removed what the store no longer names", { ...result });
  }
  return result;
}
