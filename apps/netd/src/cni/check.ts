/**
 * CHECK: the container's attachment as netd recorded it must still be in the kernel: the
 * sandbox in the runtime's namespace, the interface present and up with its addresses, the
 * default route when this endpoint is the sandbox's gateway, and the previous result (when
 * given) naming the same address. The first difference is the error.
 */
import { findEndpoint, findNetwork, findSandbox } from "./attachments.js";
import type { CniDeps } from "./deps.js";
import { CniCode, CniError } from "./protocol.js";
import type { CniRequest } from "./request.js";

const mismatch = (msg: string, hint: string) => new CniError(CniCode.CHECK_MISMATCH, msg, hint);

/** Runs CHECK; resolves when everything matches. The caller holds the container's lock. */
export async function cniCheck(deps: CniDeps, req: CniRequest): Promise<void> {
  const { controller, kernel } = deps;
  const sandbox = findSandbox(controller, req.containerId);
  if (!sandbox) throw new CniError(CniCode.UNKNOWN_CONTAINER, `container ${req.containerId} has no netd attachments`, "ADD the container first");
  const network = findNetwork(controller, req.conf.name);
  const ep = network ? findEndpoint(controller, sandbox, network) : undefined;
  if (!network || !ep) throw new CniError(CniCode.UNKNOWN_CONTAINER, `container ${req.containerId} is not attached to network '${req.conf.name}'`, "ADD it to the network first");
  const [mine, theirs] = await Promise.all([kernel.netns.identity(req.netns).catch(() => null), kernel.netns.identity(sandbox.netns).catch(() => null)]);
  if (mine === null || mine !== theirs) throw mismatch(`namespace ${req.netns} is not the one netd attached (${sandbox.netns})`, "DEL and ADD the container again");
  const ifname = ep.join?.interfaceName ?? req.ifname;
  const link = await kernel.links.get(req.netns, ifname);
  if (!link) throw mismatch(`interface ${ifname} is missing in ${req.netns}`, "DEL and ADD the container again to re-create it");
  if (!link.up) throw mismatch(`interface ${ifname} in ${req.netns} is down`, `set it up (ip link set ${ifname} up) or DEL and ADD again`);
  const have = new Set((await kernel.addresses.list(req.netns, ifname)).map((a) => a.address));
  for (const want of [ep.ipv4, ep.ipv6]) {
    if (want && !have.has(want)) throw mismatch(`interface ${ifname} lacks address ${want}`, "DEL and ADD the container again");
  }
  const current = controller.getSandbox(sandbox.id);
  if (current.gateways.gw4 === ep.id && ep.join?.gateway4) {
    const routes = await kernel.routes.list(req.netns, 4);
    if (!routes.some((r) => r.to === "default" && r.via === ep.join?.gateway4)) throw mismatch(`the default route via ${ep.join.gateway4} is missing in ${req.netns}`, "DEL and ADD the container again");
  }
  const prevIps = Array.isArray(req.conf.prevResult?.ips) ? (req.conf.prevResult.ips as Array<{ address?: unknown }>).map((i) => i.address) : null;
  if (prevIps && ep.ipv4 && !prevIps.includes(ep.ipv4)) throw mismatch(`the previous result does not list ${ep.ipv4}`, "pass the result of this container's ADD as prevResult");
}
