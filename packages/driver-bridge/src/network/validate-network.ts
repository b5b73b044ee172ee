/** Conflict checks for a new network that need the driver's state or a read of the host. */
import type { DriverContext } from "@netd/driverapi";
import { bridgeError } from "../errors.js";
import type { BridgeNetworkConfig } from "../model.js";

/**
 * Refuses a bridge name used by another network of this driver or by any existing link in
 * the host namespace (netd does not adopt devices it did not create). Reads only.
 */
export async function checkBridgeName(ctx: DriverContext, config: BridgeNetworkConfig, others: Iterable<BridgeNetworkConfig>): Promise<void> {
  for (const other of others) {
    if (other.id !== config.id && other.bridgeName === config.bridgeName) {
      throw bridgeError("BRIDGE_NAME_CONFLICT", `bridge name '${config.bridgeName}' is already used by network '${other.name}'`, "pick another com.docker.network.bridge.name or remove that network", { bridge: config.bridgeName, network: other.name });
    }
  }
  const link = await ctx.kernel.links.get(ctx.hostNetns, config.bridgeName);
  if (link) {
    throw bridgeError("BRIDGE_NAME_CONFLICT", `a link named '${config.bridgeName}' (kind '${link.kind || "none"}') already exists in the host namespace`, "pick another com.docker.network.bridge.name or delete that link", { bridge: config.bridgeName });
  }
}
