/** Step 1 of a network: the Linux bridge, down until its addresses and sysctls are set. */
import type { DriverContext } from "@netd/driverapi";
import type { BridgeNetworkConfig } from "../model.js";
import type { UndoStack } from "../undo-stack.js";

export async function createBridge(ctx: DriverContext, n: BridgeNetworkConfig, undo: UndoStack): Promise<void> {
  await ctx.kernel.links.addBridge(ctx.hostNetns, { name: n.bridgeName, ...(n.mtu !== null ? { mtu: n.mtu } : {}), up: false });
  undo.push(`bridge ${n.bridgeName}`, () => ctx.kernel.links.delete(ctx.hostNetns, n.bridgeName));
}

/** Last kernel step of a network: the bridge goes up. */
export async function bridgeUp(ctx: DriverContext, n: BridgeNetworkConfig): Promise<void> {
  await ctx.kernel.links.set(ctx.hostNetns, n.bridgeName, { up: true });
}
