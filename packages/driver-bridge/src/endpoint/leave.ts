/**
 * leave: firewall.removeEndpoint (guards and port elements, one nft transaction) →
 * publisher.releaseEndpoint (proxies, host ports) → host end of the veth down
 * (the container is off the bridge when leave returns) → the veth recorded as doomed and its
 * deletion (routes and addresses go with it) handed to the reaper → forget the state. Best
 * effort and idempotent; all failures are reported together.
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
  const rec = state.endpoints.get(info.id);
  // The firewall first: it drops the guards and the published ports' elements in one nft
  // transaction, so the publisher's release below finds nothing left to change in nft.
  if (rec && network) await step(() => firewall.removeEndpoint(network, rec.endpoint));
  if (publisher) await step(() => publisher.releaseEndpoint(ctx.state, info.id));
  if (rec) {
    await step(async () => {
      const name = rec.endpoint.hostIfname;
      if (state.reaper.has(name)) return;
      try {
        await ctx.kernel.links.set(ctx.hostNetns, name, { up: false });
      } catch (e) {
        // Already gone: nothing to delete.
        if ((e as { code?: unknown }).code === "LINK_NOT_FOUND") return;
        throw e;
      }
      await state.putDoomed(ctx.state, name);
      const log = ctx.log;
      state.reaper.delete(ctx.kernel, ctx.hostNetns, name, { netns: rec.endpoint.netns, peer: rec.endpoint.ifname }, (e) => log.error("deleting a left endpoint's veth failed; the next start retries", { veth: name, error: String(e) }));
    });
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
  await step(() => state.forgetReaped(ctx.state));
  if (errors.length > 0) throw new NetdAggregateError(`failed to leave endpoint ${info.id.slice(0, 12)}`, errors);
}
