/**
 * Join step 2: the endpoint's addresses in the sandbox, then link up.
 *
 * IPv6 addresses go in without DAD (`nodad`): IPAM owns the subnet, so a duplicate cannot
 * come from the network, and a tentative address would make the join return before the
 * interface can use it (about a second of DAD), breaking "when the call returns, it works".
 * The connect-moves-the-IPv6-gateway integration test holds this.
 */
import type { DriverContext, EndpointInfo } from "@netd/driverapi";
import type { BridgeEndpoint } from "../model.js";

export async function configureContainerEnd(ctx: DriverContext, info: EndpointInfo, ep: BridgeEndpoint): Promise<void> {
  if (info.ipv4) await ctx.kernel.addresses.add(ep.netns, ep.ifname, info.ipv4);
  if (info.ipv6) await ctx.kernel.addresses.add(ep.netns, ep.ifname, info.ipv6, { nodad: true });
  await ctx.kernel.links.set(ep.netns, ep.ifname, { up: true });
}

/**
 * Forgets what the host's bridge caches for the endpoint's addresses (D6). A departed
 * sandbox's MAC stays in the bridge's neighbour table (REACHABLE, then STALE and probed at the
 * old MAC) for 40–50 s, so a new sandbox reusing the address (static addresses, IPAM's cursor
 * after a restart) would be unreachable that long. Called on leave and again on join (a crash
 * may have skipped the leave). A gratuitous ARP from the container at link-up does not help:
 * its bridge port only starts forwarding after the carrier event, and the frame is dropped.
 */
export async function forgetNeighbours(ctx: DriverContext, bridge: string, ep: Pick<BridgeEndpoint, "ipv4" | "ipv6">): Promise<void> {
  const neighbours = ctx.kernel.neighbours;
  if (!neighbours) return;
  for (const address of [ep.ipv4, ep.ipv6]) if (address) await neighbours.delete(ctx.hostNetns, bridge, address);
}
