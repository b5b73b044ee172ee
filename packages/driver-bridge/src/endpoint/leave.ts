/**
 * leave: publisher.releaseEndpoint → firewall.removeEndpoint → delete the veth (its routes
 * and addresses go with it) → forget the state. Best effort and idempotent; all failures are
 * reported together.
 */
import { NetdAggregateError } from "@netd/driverapi";
import type { DriverContext, EndpointInfo } from "@netd/driverapi";
import type { BridgeFirewall, BridgeNetworkConfig, Publisher } from "../model.js";
import type { DriverState } from "../state.js";
import { forgetNeighbours } from "./container-addresses.js";
import { hostVethName } from "./names.js";

export async function leaveEndpoint(
  ctx: DriverContext,
  state: DriverState,
  firewall: BridgeFirewall,
  publisher: Publisher | null,
  network: BridgeNetworkConfig | undefined,
  info: EndpointInfo,
): Promise<void> {
  const errors: unknown[] = [];
  const step = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  };
  if (publisher) await step(() => publisher.releaseEndpoint(ctx.state, info.id));
  const rec = state.endpoints.get(info.id);
  if (rec) {
    if (network) await step(() => firewall.removeEndpoint(network, rec.endpoint));
    await step(() => ctx.kernel.links.delete(ctx.hostNetns, rec.endpoint.hostIfname));
    if (network) await step(() => forgetNeighbours(ctx, network.bridgeName, rec.endpoint));
  } else {
    // No record: a join a crash interrupted. Its veth is found by its derived name; it is
    // deleted when it is a veth on this network's bridge (or on none: it died mid-join).
    await step(async () => {
      const name = hostVethName(info.id);
      const link = await ctx.kernel.links.get(ctx.hostNetns, name);
      if (link?.kind === "veth" && (network === undefined || link.master === null || link.master === network.bridgeName)) await ctx.kernel.links.delete(ctx.hostNetns, name);
    });
  }
  // The state entry stays when something failed, so a retried leave finds the veth again.
  if (errors.length === 0) await step(() => state.deleteEndpoint(ctx.state, info.id));
  if (errors.length > 0) throw new NetdAggregateError(`failed to leave endpoint ${info.id.slice(0, 12)}`, errors);
}
