import { wrapError } from "@netd/driverapi";
import type { Core } from "../core.js";
import { contextFor, networkOf, toEndpointInfo, toNetworkInfo } from "../core.js";
import { coreError } from "../errors.js";
import type { EndpointRecord } from "../model.js";
import { retryOnce } from "../txn/retry-once.js";
import type { Txn } from "../txn/transaction.js";

/**
 * Deletes an endpoint that is not joined (the caller leaves first), staging the deletion in
 * `txn`; the caller commits. The driver goes first; if it fails, the endpoint stays and can
 * be deleted again.
 */
export async function deleteEndpoint(core: Core, txn: Txn, endpoint: EndpointRecord): Promise<void> {
  if (endpoint.sandboxId !== null) {
    throw coreError("ENDPOINT_IN_USE", `endpoint ${endpoint.id.slice(0, 12)} is joined to sandbox ${endpoint.sandboxId.slice(0, 12)}`, "disconnect it first or use force");
  }
  const network = networkOf(core, endpoint);
  const driver = core.registry.get(network.driver);
  if (driver.deleteEndpoint) {
    try {
      const ctx = contextFor(core, driver, txn);
      await retryOnce(core.log, "driver endpoint delete", { network: network.name }, () => driver.deleteEndpoint!(ctx, toNetworkInfo(network), toEndpointInfo(endpoint)));
    } catch (e) {
      throw wrapError(`failed to delete endpoint ${endpoint.id.slice(0, 12)} on network '${network.name}'`, e);
    }
  }
  txn.delete("endpoint", endpoint.id);
  forgetEndpoint(core, endpoint);
}

/** Drops a deleted endpoint from memory and gives its addresses back to IPAM. */
export function forgetEndpoint(core: Core, endpoint: EndpointRecord): void {
  if (endpoint.ipv4) core.ipam.releaseAddress(endpoint.networkId, 4, endpoint.ipv4);
  if (endpoint.ipv6) core.ipam.releaseAddress(endpoint.networkId, 6, endpoint.ipv6);
  core.state.endpoints.delete(endpoint.id);
}
