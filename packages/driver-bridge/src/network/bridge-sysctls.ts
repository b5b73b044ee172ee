/**
 * Step 3: per-bridge sysctls. `route_localnet=1` when the userland proxy is off, so host
 * traffic to 127.0.0.1 can be DNATed out of the bridge (nftables-layout.md §8.3). Removed
 * with the bridge.
 */
import type { DriverContext } from "@netd/driverapi";
import type { BridgeNetworkConfig } from "../model.js";

export async function setBridgeSysctls(ctx: DriverContext, n: BridgeNetworkConfig, userlandProxy: boolean): Promise<void> {
  if (!userlandProxy && n.subnet4 && !n.internal) {
    await ctx.kernel.sysctl.set(ctx.hostNetns, `net.ipv4.conf.${n.bridgeName}.route_localnet`, "1");
  }
}
