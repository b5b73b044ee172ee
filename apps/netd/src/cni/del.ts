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
  await controller.disconnect(network!.id, sandbox.id);
  deps.events?.emit("network", "disconnect", network!.id, { container: sandbox.id, name: network!.name, type: network!.driver });
}

/** Deletes a CNI sandbox; its leave failures are logged by core and do not fail DEL. */
export async function deleteSandbox(deps: CniDeps, sandboxId: string): Promise<void> {
  await deps.controller.deleteSandbox(sandboxId);
}
