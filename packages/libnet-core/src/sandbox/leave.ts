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
import { retryOnce } from "../txn/retry-once.js";
import type { Txn } from "../txn/transaction.js";

/** The outcome of a best-effort leave: the endpoint is detached; `errors` says what failed. */
export interface LeaveResult {
  readonly endpoint: EndpointRecord;
  readonly errors: readonly unknown[];
}

/**
 * Detaches an endpoint (reference §1.7): every driver whose view changes first learns the
 * gateways computed without the endpoint (release, then acquire), then the endpoint's driver
 * runs `leave`. Best effort: failures are logged and returned, the endpoint is detached
 * regardless; a failed driver `leave` is retried once and a failed gateway change is
 * delivered again after it, so `errors` holds only what is still wrong. While the sandbox is
 * being deleted no event is sent. The records are staged in
 * `txn`; the caller commits. The caller holds the sandbox's serializer.
 */
export async function leave(core: Core, txn: Txn, endpoint: EndpointRecord, sandbox: SandboxRecord): Promise<LeaveResult> {
  if (endpoint.sandboxId !== sandbox.id) {
    throw coreError("ENDPOINT_NOT_JOINED", `endpoint ${endpoint.id.slice(0, 12)} is not connected to sandbox '${sandbox.name}'`, "check which networks the sandbox is connected to");
  }
  const network = networkOf(core, endpoint);
  const driver = core.registry.get(network.driver);
  const errors: unknown[] = [];
  const remaining = joinedEndpoints(core, sandbox.id, { without: endpoint.id });
  const deleting = core.state.deleting.has(sandbox.id);
  const next = deleting ? sandbox.gateways : gatewaysOf(core, remaining);

  let delivery: unknown[] = [];
  if (!deleting) {
    // The leaving endpoint's driver still sees it among its endpoints: it leaves right after.
    const participants = participantsOf(core, txn, [...remaining, endpoint]);
    const notified = changedParticipants(core, sandbox.id, next, participants);
    delivery = (await deliverGatewayChange({ sandbox, next, participants: notified, onError: "continue" })).map((f) => f.error);
  }
  const ctx = contextFor(core, driver, txn);
  await retryOnce(core.log, "leave", { sandbox: sandbox.name, network: network.name }, () =>
    driver.leave(ctx, toNetworkInfo(network), toEndpointInfo(endpoint), toSandboxInfo(sandbox, driver)),
  ).catch((e: unknown) => errors.push(e));
  if (delivery.length > 0) {
    // A failed release (e.g. of a host port another endpoint takes over) made an acquire fail
    // too; the leave above freed what the endpoint held, so the remaining endpoints get the
    // same event again (drivers treat what is already in place as a no-op).
    for (const e of delivery) core.log.warn("gateway change during leave failed; delivering it again", { sandbox: sandbox.name, error: String(e) });
    const again = await deliverGatewayChange({ sandbox, next, participants: participantsOf(core, txn, remaining), onError: "continue" });
    errors.push(...again.map((f) => f.error));
  }
  const detached: EndpointRecord = { ...endpoint, sandboxId: null, join: null };
  const updatedSandbox: SandboxRecord = { ...sandbox, gateways: next };
  txn.put("endpoint", detached.id, detached);
  txn.put("sandbox", sandbox.id, updatedSandbox);
  core.state.endpoints.set(detached.id, detached);
  core.state.sandboxes.set(sandbox.id, updatedSandbox);
  if (!deleting) rememberDelivered(core, sandbox.id, next, participantsOf(core, txn, remaining));
  for (const e of errors) core.log.warn("leave step failed", { sandbox: sandbox.name, network: network.name, error: String(e) });
  return { endpoint: detached, errors };
}
