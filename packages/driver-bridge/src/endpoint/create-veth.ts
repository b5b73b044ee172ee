/**
 * Join step 1: the veth pair, its container end born inside the sandbox namespace (DESIGN
 * §4), host end enslaved to the bridge but still down. Deleting the host end takes the peer
 * along. Step 2 (bringUpPort) readies the bridge port and brings it up; it can run while the
 * container end is configured, on the other namespace's socket.
 */
import { isNetdError, type DriverContext } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig } from "../model.js";
import type { UndoStack } from "@netd/driverapi";

export async function createVeth(ctx: DriverContext, n: BridgeNetworkConfig, ep: BridgeEndpoint, undo: UndoStack): Promise<void> {
  const mtu = n.mtu !== null ? { mtu: n.mtu } : {};
  await ctx.kernel.links.addVeth(ctx.hostNetns, {
    name: ep.hostIfname,
    ...mtu,
    master: n.bridgeName,
    up: false,
    peer: { name: ep.ifname, netns: ep.netns, mac: ep.mac, ...mtu },
  });
  undo.push(`veth ${ep.hostIfname}`, () => ctx.kernel.links.delete(ctx.hostNetns, ep.hostIfname));
}

export async function bringUpPort(ctx: DriverContext, ep: BridgeEndpoint): Promise<void> {
  // A bridge port forwards IPv6 frames whatever its own IPv6 state. With IPv6 on, each host
  // end would get a link-local address, a prefix and a multicast route, and send router
  // solicitations and MLD reports onto the bridge; the kernel walks the whole IPv6 FIB each
  // time a port goes up or down, so with those routes every attach and detach grew with the
  // number of containers. Set before the port is up, so none of that is ever created.
  await ctx.kernel.sysctl.set(ctx.hostNetns, `net.ipv6.conf.${ep.hostIfname}.disable_ipv6`, "1").catch((e: unknown) => {
    // A kernel without IPv6 (ipv6.disable=1) has no such key, and nothing to disable.
    if (!isNetdError(e) || e.code !== "SYSCTL_NOT_FOUND") throw e;
  });
  // netd DNATs traffic from a bridge to its own containers too (nftables-layout.md §1.6, §8.1):
  // with br_netfilter a container reaching its own published port is bridged back out of the
  // port it came in on, which needs hairpin mode whether or not the userland proxy runs.
  await ctx.kernel.links.set(ctx.hostNetns, ep.hostIfname, { up: true, hairpin: true });
}
