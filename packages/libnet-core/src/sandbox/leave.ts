import type { Core } from "../core.js";
import {
  changedParticipants,
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

/** The outcome of a best-effort leave: the endpoint is detached; `errors` says what failed. */
export interface LeaveResult {
  readonly endpoint: EndpointRecord;
  readonly errors: readonly unknown[];
}

/**
 * Detaches an endpoint (reference §1.7): every driver whose view changes first learns the
 * gateways computed without the endpoint (release, then acquire), then the endpoint's driver
 * runs `leave`. Best effort: failures are logged and returned, the endpoint is detached
 * regardless. While the sandbox is being deleted no event is sent. The caller holds the
 * sandbox's serializer.
 */
export async function leave(core: Core, endpoint: EndpointRecord, sandbox: SandboxRecord): Promise<LeaveResult> {
  if (endpoint.sandboxId !== sandbox.id) {
    throw coreError("ENDPOINT_NOT_JOINED", `endpoint ${endpoint.id.slice(0, 12)} is not connected to sandbox '${sandbox.name}'`, "check which networks the sandbox is connected to");
  }
  const network = networkOf(core, endpoint);
  const driver = core.registry.get(network.driver);
  const sbInfo = toSandboxInfo(sandbox);
  const errors: unknown[] = [];
  const remaining = joinedEndpoints(core, sandbox.id, { without: endpoint.id });
  const deleting = core.state.deleting.has(sandbox.id);
  const next = deleting ? sandbox.gateways : gatewaysOf(core, remaining);

  if (!deleting) {
    // The leaving endpoint's driver still sees it among its endpoints: it leaves right after.
    const participants = participantsOf(core, [...remaining, endpoint]);
    const notified = changedParticipants(core, sandbox.id, next, participants);
    const failures = await deliverGatewayChange({ sandbox: sbInfo, next, previous: sandbox.gateways, reason: "leave", participants: notified, onError: "continue" });
    errors.push(...failures.map((f) => f.error));
  }
  try {
    await driver.leave(core.contextFor(driver), toNetworkInfo(network), toEndpointInfo(endpoint), sbInfo);
  } catch (e) {
    errors.push(e);
  }
  const detached: EndpointRecord = { ...endpoint, sandboxId: null, join: null };
  const updatedSandbox: SandboxRecord = { ...sandbox, gateways: next };
  await core.store.apply([
    { op: "put", kind: "endpoint", id: detached.id, value: detached },
    { op: "put", kind: "sandbox", id: sandbox.id, value: updatedSandbox },
  ]);
  core.state.endpoints.set(detached.id, detached);
  core.state.sandboxes.set(sandbox.id, updatedSandbox);
  if (!deleting) rememberDelivered(core, sandbox.id, next, participantsOf(core, remaining));
  for (const e of errors) core.log.warn("leave step failed", { sandbox: sandbox.name, network: network.name, error: String(e) });
  return { endpoint: detached, errors };
}
