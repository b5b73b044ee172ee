/**
 * join (reference §4.4 CreateEndpoint + Join, done together because the veth needs the
 * sandbox's namespace): validate and choose names, then veth → addresses → firewall guards →
 * persisted state. No default route here: the gateway change installs it (gateway-routes.ts).
 */
import type { DriverContext, EndpointInfo, JoinResult, SandboxInfo } from "@netd/driverapi";
import { bridgeError } from "../errors.js";
import type { BridgeEndpoint, BridgeFirewall, BridgeNetworkConfig } from "../model.js";
import { addressOf, parseEndpointOptions } from "../options.js";
import type { DriverState } from "../state.js";
import { UndoStack } from "@netd/driverapi";
import { configureContainerEnd, forgetNeighbours, settleAll } from "./container-addresses.js";
import { bringUpPort, createVeth } from "./create-veth.js";
import { checkHostVethFree, containerIfname, hostVethName, linkNames, randomMac } from "./names.js";

/** The gateways a bridge endpoint reports (none on an internal network). */
export function joinGateways(n: BridgeNetworkConfig, info: Pick<EndpointInfo, "ipv6">): { gateway4: string | null; gateway6: string | null } {
  if (n.internal) return { gateway4: null, gateway6: null };
  return { gateway4: n.subnet4 ? n.gateway4 : null, gateway6: n.subnet6 && info.ipv6 ? n.gateway6 : null };
}

export async function joinEndpoint(
  ctx: DriverContext,
  state: DriverState,
  firewall: BridgeFirewall,
  network: BridgeNetworkConfig,
  info: EndpointInfo,
  sandbox: SandboxInfo,
): Promise<JoinResult> {
  const opts = parseEndpointOptions(info);
  if (state.endpoints.has(info.id)) {
    throw bridgeError("INVALID_NETWORK", `endpoint ${info.id.slice(0, 12)} is already joined`, "leave first");
  }
  // The peer of a veth still being deleted holds its name in the sandbox: wait for it.
  let names = await linkNames(ctx, sandbox.netns);
  if (await state.reaper.settled(sandbox.netns, names)) names = await linkNames(ctx, sandbox.netns);
  await state.forgetReaped(ctx.state);
  const ifname = containerIfname(sandbox.netns, names, opts.ifname, network.ifPrefix);
  const ep: BridgeEndpoint = {
    id: info.id,
    networkId: network.id,
    sandboxId: sandbox.id,
    netns: sandbox.netns,
    hostIfname: hostVethName(info.id),
    ifname,
    ipv4: info.ipv4 ? addressOf(info.ipv4) : null,
    ipv6: info.ipv6 ? addressOf(info.ipv6) : null,
    mac: info.mac ?? randomMac(),
  };
  await checkHostVethFree(ctx, ep.hostIfname);
  const undo = new UndoStack();
  try {
    await forgetNeighbours(ctx, network.bridgeName, ep);
    await createVeth(ctx, network, ep, undo);
    // The host end (bridge port) and the container end are on different netlink sockets.
    await settleAll([bringUpPort(ctx, ep), configureContainerEnd(ctx, info, ep)]);
    await firewall.addEndpoint(network, ep);
    undo.push(`firewall guards of ${ep.id.slice(0, 12)}`, () => firewall.removeEndpoint(network, ep));
    await state.putEndpoint(ctx.state, { endpoint: ep, routes: { 4: false, 6: false } });
  } catch (e) {
    for (const f of await undo.rollback()) ctx.log.error("join rollback step failed", { endpoint: ep.id, error: f.message });
    throw e;
  }
  return { interfaceName: ifname, ...joinGateways(network, info) };
}
