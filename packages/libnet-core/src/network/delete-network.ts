import { wrapError } from "@netd/driverapi";
import type { Core } from "../core.js";
import { contextFor, toNetworkInfo } from "../core.js";
import { coreError } from "../errors.js";
import type { NetworkRecord } from "../model.js";
import { retryOnce } from "../txn/retry-once.js";

/**
 * Deletes a network without endpoints. Unlike the reference (which releases IPAM first,
 * §1.3), the driver goes first: if it fails, nothing else has changed and the network can
 * be deleted again once the cause is fixed (a failed driver delete is retried once at once,
 * so one transient failure does not leave a half-removed network). A crash after the intent is finished at restart.
 */
export async function deleteNetwork(core: Core, network: NetworkRecord): Promise<void> {
  const endpoints = [...core.state.endpoints.ofNetwork(network.id).values()];
  if (endpoints.length > 0) {
    throw coreError(
      "NETWORK_HAS_ENDPOINTS",
      `network '${network.name}' has ${endpoints.length} active endpoint(s)`,
      "disconnect every sandbox from it first",
      { network: network.name, endpoints: endpoints.map((e) => e.id) },
    );
  }
  const driver = core.registry.get(network.driver);
  const txn = await core.begin({ op: "deleteNetwork", networkId: network.id });
  try {
    const ctx = contextFor(core, driver, txn);
    await retryOnce(core.log, "driver network delete", { network: network.name }, () => driver.deleteNetwork(ctx, toNetworkInfo(network)));
  } catch (e) {
    // The driver's staged state is dropped; what it removed in the kernel stays removed and a
    // retried delete (idempotent) finishes the job.
    await txn.abandon();
    throw wrapError(`failed to delete network '${network.name}'`, e);
  }
  txn.delete("network", network.id);
  await txn.commit();
  core.ipam.releaseNetwork(network.id);
  core.state.networks.delete(network.id);
  core.log.info("network deleted", { network: network.name, id: network.id });
}
