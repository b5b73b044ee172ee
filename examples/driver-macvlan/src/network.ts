/** createNetwork / deleteNetwork: check the parent, or make the internal network's own parent. */
import { UndoStack, type DriverContext, type NetworkInfo } from "@netd/driverapi";
import { macvlanError } from "./errors.js";
import { internalParentName, parseNetwork } from "./options.js";

/** The veth end paired with an internal network's parent (nothing is ever attached to it). */
function internalPeerName(network: NetworkInfo): string {
  return `mvp${network.id.slice(0, 12)}`;
}

export async function createNetwork(ctx: DriverContext, network: NetworkInfo): Promise<void> {
  const net = parseNetwork(network);
  const k = ctx.kernel;
  if (!net.ownParent) {
    if (!(await k.links.get(ctx.hostNetns, net.parent))) {
      throw macvlanError("PARENT_NOT_FOUND", `parent link '${net.parent}' does not exist in the host namespace`, "pass an existing link as -o parent=", { parent: net.parent });
    }
    return;
  }
  // A veth pair whose ends are both up has carrier, so its macvlan children pass traffic
  // among themselves; nothing else is attached, so nothing leaves the host.
  const undo = new UndoStack();
  try {
    await k.links.addVeth(ctx.hostNetns, { name: net.parent, up: true, peer: { name: internalPeerName(network), netns: ctx.hostNetns } });
    undo.push("internal parent", () => k.links.delete(ctx.hostNetns, net.parent));
    await k.links.set(ctx.hostNetns, internalPeerName(network), { up: true });
  } catch (e) {
    await undo.rollback();
    throw e;
  }
}

/** Works from the infos alone: only an internal network without parent owns a link. */
export async function deleteNetwork(ctx: DriverContext, network: NetworkInfo): Promise<void> {
  const parent = network.options.parent;
  if (network.internal && (parent === undefined || parent === "")) await ctx.kernel.links.delete(ctx.hostNetns, internalParentName(network));
}
