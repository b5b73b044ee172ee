/**
 * deleteNetwork: the reverse of create, best effort and idempotent — firewall first, bridge
 * last (a bridge that is gone takes its addresses and sysctls with it). Forwarding sysctls
 * stay on. Every failure is collected and reported together. A network the driver has no
 * record of (a create a crash interrupted) is torn down from its info: its bridge is deleted
 * when it carries netd's mark.
 */
import { NetdAggregateError } from "@netd/driverapi";
import type { DriverContext, NetworkInfo } from "@netd/driverapi";
import type { BridgeFirewall, BridgeNetworkConfig } from "../model.js";
import { isNetdBridgeMac } from "../endpoint/names.js";
import { parseNetworkConfig } from "../options.js";
import type { DriverState } from "../state.js";

export async function deleteNetwork(ctx: DriverContext, state: DriverState, firewall: BridgeFirewall, network: NetworkInfo): Promise<void> {
  // A network the driver does not know (never created, or lost state) is derived again from its info.
  let config: BridgeNetworkConfig | undefined = state.networks.get(network.id);
  if (!config) {
    try {
      config = parseNetworkConfig(network);
    } catch {
      return;
    }
  }
  const errors: unknown[] = [];
  const step = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  };
  const c = config;
  // Veths of left endpoints still being deleted are gone when the network delete returns.
  await state.reaper.settledAll();
  await step(() => state.forgetReaped(ctx.state));
  await step(() => firewall.removeNetwork(c));
  for (const ep of state.endpointsOf(c.id)) {
    await step(() => ctx.kernel.links.delete(ctx.hostNetns, ep.endpoint.hostIfname));
    await step(() => state.deleteEndpoint(ctx.state, ep.endpoint.id));
  }
  // Only a bridge this driver recorded or marked is deleted: a same-named link someone else made stays.
  const known = state.networks.has(c.id);
  await step(async () => {
    const link = known ? null : await ctx.kernel.links.get(ctx.hostNetns, c.bridgeName);
    if (known || (link?.kind === "bridge" && isNetdBridgeMac(link.mac))) await ctx.kernel.links.delete(ctx.hostNetns, c.bridgeName);
  });
  await step(() => state.deleteNetwork(ctx.state, c.id));
  if (errors.length > 0) throw new NetdAggregateError(`failed to delete bridge network '${c.name}'`, errors);
  ctx.log.info("bridge network deleted", { network: c.name, bridge: c.bridgeName });
}
