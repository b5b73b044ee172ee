/**
 * DEL: succeeds when the attachment is already gone (unknown container, network or
 * interface), and works without a namespace: ctr sends CNI_NETNS="" after the container died,
 * so everything is found by container id and only the host side (veth, rules, ports, address)
 * is released. The last attachment of a container takes its sandbox along; the runtime's
 * namespace itself is never deleted.
 */
import { findEndpoint, findNetwork, findSandbox, ifnameOf } from "./attachments.js";
import type { CniDeps } from "./deps.js";
import type { CniRequest } from "./request.js";

/** Runs DEL; the caller holds the container's lock. */
export async function cniDel(deps: CniDeps, req: CniRequest): Promise<void> {
  const { controller } = deps;
  const sandbox = findSandbox(controller, req.containerId);
  if (!sandbox) return;
  const network = findNetwork(controller, req.conf.name);
  const ep = network ? findEndpoint(controller, sandbox, network) : undefined;
  const all = controller.listEndpoints({ sandboxId: sandbox.id });
  if (ep && (ifnameOf(ep) ?? req.ifname) !== req.ifname) return;
  if (!ep) {
    // A sandbox left without attachments (an ADD that died half-way) goes with any DEL.
    if (all.length === 0) await deleteSandbox(deps, sandbox.id);
    return;
  }
  if (all.length === 1) {
    // Deleting the sandbox sends no gateway events into a namespace that may be gone.
    await deleteSandbox(deps, sandbox.id);
    return;
  }
  await disconnect(deps, network!.id, sandbox.id);
}

/** Disconnects a CNI sandbox from one network and says so on the event stream (DNS follows it). */
export async function disconnect(deps: CniDeps, networkId: string, sandboxId: string): Promise<void> {
  const network = deps.controller.getNetwork(networkId);
  await deps.controller.disconnect(network.id, sandboxId);
  deps.events?.emit("network", "disconnect", network.id, { container: sandboxId, name: network.name, type: network.driver });
}

/**
 * Deletes a CNI sandbox; its leave failures are logged by core and do not fail DEL. The
 * events are those of `DELETE /sandboxes`, so the DNS names go with it.
 */
export async function deleteSandbox(deps: CniDeps, sandboxId: string): Promise<void> {
  const { controller } = deps;
  const sb = controller.getSandbox(sandboxId);
  const networks = controller.listEndpoints({ sandboxId }).map((e) => controller.getNetwork(e.networkId));
  await controller.deleteSandbox(sandboxId);
  for (const n of networks) deps.events?.emit("network", "disconnect", n.id, { container: sb.id, name: n.name, type: n.driver });
  deps.events?.emit("sandbox", "destroy", sb.id, { name: sb.name, netns: sb.netns });
}
