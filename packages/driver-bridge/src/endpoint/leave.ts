/**
 * leave: publisher.releaseEndpoint → firewall.removeEndpoint → delete the veth (its routes
 * and addresses go with it) → forget the state. Best effort and idempotent; all failures are
 * reported together.
 */
import { NetdAggregateError } from "@netd/driverapi";
import type { DriverContext, EndpointInfo } from "@netd/driverapi";
import type { BridgeFirewall, BridgeNetworkConfig, Publisher } from "../model.js";
import type { DriverState } from "../state.js";

export async function leaveEndpoint(
  ctx: DriverContext,
  state: DriverState,
  firewall: BridgeFirewall,
  publisher: Publisher | null,
  network: BridgeNetworkConfig | undefined,
  info: EndpointInfo,
): Promise<void> {
  const errors: unknown[] = [];
  const step = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  };
  if (publisher) await step(() => publisher.releaseEndpoint(info.id));
  const rec = state.endpoints.get(info.id);
  if (rec) {
    if (network) await step(() => firewall.removeEndpoint(network, rec.endpoint));
    await step(() => ctx.kernel.links.delete(ctx.hostNetns, rec.endpoint.hostIfname));
  }
  // The state entry stays when something failed, so a retried leave finds the veth again.
  if (errors.length === 0) await step(() => state.deleteEndpoint(info.id));
  if (errors.length > 0) throw new NetdAggregateError(`failed to leave endpoint ${info.id.slice(0, 12)}`, errors);
}
