import { NetdAggregateError, wrapError } from "@netd/driverapi";
import type { JoinResult } from "@netd/driverapi";
import type { Core } from "../core.js";
import {
  changedParticipants,
  contextFor,
  gatewaysOf,
  joinedEndpoints,
  networkOf,
  participantsOf,
  rememberDelivered,
  toEndpointInfo,
  toNetworkInfo,
  toSandboxInfo,
} from "../core.js";
import { coreError } from "../errors.js";
import { deliverGatewayChange } from "../gateway/notify.js";
import type { EndpointRecord, SandboxRecord } from "../model.js";
import type { Txn } from "../txn/transaction.js";
import { unpublishedWarning } from "./port-bindings.js";

/**
 * Joins an endpoint to a sandbox (reference §1.5, with netd's event instead of per-endpoint
 * calls): driver.join, then one gateway-change event to every driver whose view changed,
 * then the commit of `txn` (the operation's records and every driver's staged state). Any
 * failure, the commit's included, rolls the join back: the drivers that saw the new state get
 * the previous one again, the joining driver's `leave` runs, and controller state and kernel
 * are as before; `txn` is left for the caller to abandon. The caller holds the sandbox's
 * serializer.
 */
export async function join(core: Core, txn: Txn, endpoint: EndpointRecord, sandbox: SandboxRecord): Promise<EndpointRecord> {
  if (core.state.deleting.has(sandbox.id)) {
    throw coreError("SANDBOX_BEING_DELETED", `sandbox '${sandbox.name}' is being deleted`, "create a new sandbox");
  }
  if (endpoint.sandboxId !== null) {
    throw coreError("ENDPOINT_IN_USE", `another sandbox is attached to endpoint ${endpoint.id.slice(0, 12)}`, "create a new endpoint for this sandbox");
  }
  const network = networkOf(core, endpoint);
  const clash = joinedEndpoints(core, sandbox.id).find((e) => e.networkId === network.id);
  if (clash) {
    throw coreError("ENDPOINT_EXISTS", `sandbox '${sandbox.name}' is already connected to network '${network.name}'`, "disconnect it first", { network: network.name, sandbox: sandbox.name });
  }
  const driver = core.registry.get(network.driver);
  const ctx = contextFor(core, driver, txn);
  const sbInfo = toSandboxInfo(sandbox, driver);
  const warning = unpublishedWarning(sandbox, network, driver);
  if (warning) core.log.warn(warning, { sandbox: sandbox.name, network: network.name, driver: driver.name });

  let result: JoinResult;
  try {
    result = await driver.join(ctx, toNetworkInfo(network), toEndpointInfo(endpoint), sbInfo);
  } catch (e) {
    throw wrapError(`failed to connect sandbox '${sandbox.name}' to network '${network.name}'`, e);
  }
  const joined: EndpointRecord = { ...endpoint, sandboxId: sandbox.id, join: result };

  const before = joinedEndpoints(core, sandbox.id);
  const after = joinedEndpoints(core, sandbox.id, { add: joined });
  const previous = sandbox.gateways;
  const next = gatewaysOf(core, after);
  const participants = participantsOf(core, txn, after);
  const notified = changedParticipants(core, sandbox.id, next, participants);

  const rollback = async (cause: unknown): Promise<never> => {
    // Drivers that saw the new state get the previous one back (without the joining endpoint).
    const back = participantsOf(core, txn, before);
    const backNames = new Set(notified.map((p) => p.driver.name));
    const undoParticipants = back.filter((p) => backNames.has(p.driver.name));
    const failures = await deliverGatewayChange({ sandbox, next: previous, participants: undoParticipants, onError: "continue" });
    const leaveErrors: unknown[] = [];
    try {
      await driver.leave(ctx, toNetworkInfo(network), toEndpointInfo(joined), sbInfo);
    } catch (e) {
      leaveErrors.push(e);
    }
    const undoErrors = [...failures.map((f) => f.error), ...leaveErrors];
    for (const e of undoErrors) core.log.error("join rollback step failed", { sandbox: sandbox.name, network: network.name, error: String(e) });
    const wrapped = wrapError(`failed to connect sandbox '${sandbox.name}' to network '${network.name}'`, cause);
    if (undoErrors.length > 0) throw new NetdAggregateError(wrapped.message + " (and rollback failed)", [wrapped, ...undoErrors], wrapped.code);
    throw wrapped;
  };

  const failures = await deliverGatewayChange({ sandbox, next, participants: notified, onError: "stop" });
  if (failures.length > 0) return rollback(failures[0]!.error);

  const updatedSandbox: SandboxRecord = { ...sandbox, gateways: next };
  txn.put("endpoint", joined.id, joined);
  txn.put("sandbox", sandbox.id, updatedSandbox);
  try {
    await txn.commit();
  } catch (e) {
    return rollback(e);
  }
  core.state.endpoints.set(joined.id, joined);
  core.state.sandboxes.set(sandbox.id, updatedSandbox);
  rememberDelivered(core, sandbox.id, next, participants);
  core.log.info("endpoint joined", { sandbox: sandbox.name, network: network.name, gw4: next.gw4, gw6: next.gw6 });
  return joined;
}
