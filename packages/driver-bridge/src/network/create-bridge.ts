/** Step 1 of a network: the Linux bridge, down until its addresses and sysctls are set. */
import type { DriverContext } from "@netd/driverapi";
import type { BridgeNetworkConfig } from "../model.js";
import type { UndoStack } from "@netd/driverapi";
import { netdBridgeMac } from "../endpoint/names.js";

/**
 * The bridge gets its own random MAC (as Docker does): otherwise Linux gives it the lowest MAC
 * of its ports, so it changes as containers come and go (and drops to 00:… when the last
 * one leaves), which upsets neighbours' caches. Its prefix marks the bridge as netd's.
 */
export async function createBridge(ctx: DriverContext, n: BridgeNetworkConfig, undo: UndoStack, mark: string): Promise<void> {
  await ctx.kernel.links.addBridge(ctx.hostNetns, { name: n.bridgeName, mac: netdBridgeMac(mark), ...(n.mtu !== null ? { mtu: n.mtu } : {}), up: false });
  undo.push(`bridge ${n.bridgeName}`, () => ctx.kernel.links.delete(ctx.hostNetns, n.bridgeName));
}

/** Last kernel step of a network: the bridge goes up. */
export async function bridgeUp(ctx: DriverContext, n: BridgeNetworkConfig): Promise<void> {
  await ctx.kernel.links.set(ctx.hostNetns, n.bridgeName, { up: true });
}
