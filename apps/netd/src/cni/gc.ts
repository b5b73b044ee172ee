/**
 * GC: removes this network's attachments whose (container id, interface) is not in
 * `cni.dev/valid-attachments`, and CNI sandboxes that no longer have any attachment and are
 * not listed. Attachments on other networks are left alone.
 */
import { CONTAINER_LABEL, findNetwork, ifnameOf } from "./attachments.js";
import type { CniDeps } from "./deps.js";
import { deleteSandbox, disconnect } from "./del.js";
import type { CniRequest } from "./request.js";

/** Runs GC; returns the container ids whose attachments were removed. */
export async function cniGc(deps: CniDeps, req: CniRequest): Promise<string[]> {
  const { controller } = deps;
  const valid = new Set(req.conf.validAttachments.map((a) => `${a.containerId}\u0000${a.ifname}`));
  const validIds = new Set(req.conf.validAttachments.map((a) => a.containerId));
  const network = findNetwork(controller, req.conf.name);
  const removed: string[] = [];
  for (const sb of controller.listSandboxes()) {
    const cid = sb.labels[CONTAINER_LABEL];
    if (cid === undefined) continue;
    await deps.containerLock.run(cid, async () => {
      const eps = controller.listEndpoints({ sandboxId: sb.id });
      const mine = network ? eps.find((e) => e.networkId === network.id) : undefined;
      if (mine && !valid.has(`${cid}\u0000${ifnameOf(mine) ?? mine.join?.interfaceName ?? ""}`)) {
        if (eps.length === 1) await deleteSandbox(deps, sb.id);
        else await disconnect(deps, network!.id, sb.id);
        removed.push(cid);
      } else if (eps.length === 0 && !validIds.has(cid)) {
        await deleteSandbox(deps, sb.id);
        removed.push(cid);
      }
    });
  }
  return removed;
}
