import { wrapError } from "@netd/driverapi";
import type { Core } from "../core.js";
import { toNetworkInfo } from "../core.js";
import { coreError } from "../errors.js";
import type { NetworkRecord } from "../model.js";

/**
 * Deletes a network without endpoints. Unlike the reference (which releases IPAM first,
 * §1.3), the driver goes first: if it fails, nothing else has changed and the network can
 * be deleted again once the cause is fixed.
 */
export async function deleteNetwork(core: Core, network: NetworkRecord): Promise<void> {
  const endpoints = [...core.state.endpoints.values()].filter((e) => e.networkId === network.id);
  if (endpoints.length > 0) {
    throw coreError(
      "NETWORK_HAS_ENDPOINTS",
      `network '${network.name}' has ${endpoints.length} active endpoint(s)`,
      "disconnect every sandbox from it first",
      { network: network.name, endpoints: endpoints.map((e) => e.id) },
    );
  }
  const driver = core.registry.get(network.driver);
  try {
    await driver.deleteNetwork(core.contextFor(driver), toNetworkInfo(network));
  } catch (e) {
    throw wrapError(`failed to delete network '${network.name}'`, e);
  }
  await core.store.apply([{ op: "delete", kind: "network", id: network.id }]);
  core.ipam.releaseNetwork(network.id);
  core.state.networks.delete(network.id);
  core.log.info("network deleted", { network: network.name, id: network.id });
}
