import { wrapError } from "@netd/driverapi";
import type { Core } from "../core.js";
import { networkOf, toEndpointInfo, toNetworkInfo } from "../core.js";
import { coreError } from "../errors.js";
import type { EndpointRecord } from "../model.js";

/**
 * Deletes an endpoint that is not joined (the caller leaves first). The driver goes first;
 * if it fails, the endpoint stays and can be deleted again. `rewind` is for undoing a
 * connect whose join failed: the endpoint was never used, so IPAM hands its addresses out
 * again next.
 */
export async function deleteEndpoint(core: Core, endpoint: EndpointRecord, options: { rewind?: boolean } = {}): Promise<void> {
  if (endpoint.sandboxId !== null) {
    throw coreError("ENDPOINT_IN_USE", `endpoint ${endpoint.id.slice(0, 12)} is joined to sandbox ${endpoint.sandboxId.slice(0, 12)}`, "disconnect it first or use force");
  }
  const network = networkOf(core, endpoint);
  const driver = core.registry.get(network.driver);
  try {
    await driver.deleteEndpoint(core.contextFor(driver), toNetworkInfo(network), toEndpointInfo(endpoint));
  } catch (e) {
    throw wrapError(`failed to delete endpoint ${endpoint.id.slice(0, 12)} on network '${network.name}'`, e);
  }
  await core.store.apply([{ op: "delete", kind: "endpoint", id: endpoint.id }]);
  const rewind = options.rewind ?? false;
  if (endpoint.ipv4) core.ipam.releaseAddress(network.id, 4, endpoint.ipv4, { rewind });
  if (endpoint.ipv6) core.ipam.releaseAddress(network.id, 6, endpoint.ipv6, { rewind });
  core.state.endpoints.delete(endpoint.id);
}
