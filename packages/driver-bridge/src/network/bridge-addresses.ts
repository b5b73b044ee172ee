/**
 * Step 2: the gateway addresses on the bridge (reference §4.3 steps 2–3). No IPv4 address
 * for inhibit_ipv4 or isolated; an isolated or absent IPv6 family gets disable_ipv6=1 on the
 * bridge, so it has no address at all (not even link-local). Removed with the bridge.
 */
import type { DriverContext } from "@netd/driverapi";
import type { BridgeNetworkConfig } from "../model.js";
import { prefixLength } from "../options.js";

/** The bridge's own addresses (CIDR) for a network. */
export function bridgeAddresses(n: BridgeNetworkConfig): { v4: string | null; v6: string | null } {
  const v4 = n.subnet4 && n.gateway4 && !n.inhibitIpv4 && n.mode4 !== "isolated" ? `${n.gateway4}/${prefixLength(n.subnet4)}` : null;
  const v6 = n.subnet6 && n.gateway6 && n.mode6 !== "isolated" ? `${n.gateway6}/${prefixLength(n.subnet6)}` : null;
  return { v4, v6 };
}

export async function setBridgeAddresses(ctx: DriverContext, n: BridgeNetworkConfig): Promise<void> {
  const { v4, v6 } = bridgeAddresses(n);
  if (!v6) await ctx.kernel.sysctl.set(ctx.hostNetns, `net.ipv6.conf.${n.bridgeName}.disable_ipv6`, "1");
  if (v4) await ctx.kernel.addresses.add(ctx.hostNetns, n.bridgeName, v4);
  if (v6) {
    // No DAD on the bridge at all: until its link-local address leaves "tentative" (1-2 s
    // after the first port brings carrier), the kernel has no source address for the
    // neighbour solicitations it needs to forward to a container, so forwarded IPv6
    // (published ports, routed mode) is dropped for those seconds. The bridge's MAC is random.
    await ctx.kernel.sysctl.set(ctx.hostNetns, `net.ipv6.conf.${n.bridgeName}.accept_dad`, "0");
    await ctx.kernel.addresses.add(ctx.hostNetns, n.bridgeName, v6, { nodad: true });
  }
}
