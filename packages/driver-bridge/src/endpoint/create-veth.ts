/**
 * Join step 1: the veth pair, its container end born inside the sandbox namespace (DESIGN
 * §4), host end enslaved to the bridge and up in the same request. Deleting the host end
 * takes the peer along. Hairpin mode on the bridge port is a separate step (setHairpin), so
 * that it can run while the container end is configured.
 */
import type { DriverContext } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig } from "../model.js";
import type { UndoStack } from "@netd/driverapi";

export async function createVeth(ctx: DriverContext, n: BridgeNetworkConfig, ep: BridgeEndpoint, undo: UndoStack): Promise<void> {
  const mtu = n.mtu !== null ? { mtu: n.mtu } : {};
  await ctx.kernel.links.addVeth(ctx.hostNetns, {
    name: ep.hostIfname,
    ...mtu,
    master: n.bridgeName,
    up: true,
    peer: { name: ep.ifname, netns: ep.netns, mac: ep.mac, ...mtu },
  });
  undo.push(`veth ${ep.hostIfname}`, () => ctx.kernel.links.delete(ctx.hostNetns, ep.hostIfname));
}

export async function setHairpin(ctx: DriverContext, ep: BridgeEndpoint): Promise<void> {
  // netd DNATs traffic from a bridge to its own containers too (nftables-layout.md §1.6, §8.1):
  // with br_netfilter a container reaching its own published port is bridged back out of the
  // port it came in on, which needs hairpin mode whether or not the userland proxy runs.
  await ctx.kernel.links.set(ctx.hostNetns, ep.hostIfname, { hairpin: true });
}
