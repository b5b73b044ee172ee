/**
 * join / leave: the macvlan child is created directly inside the sandbox's namespace, with
 * a MAC derived from the endpoint id (except in passthru mode, where it takes the parent's),
 * so leave finds it again from the infos alone.
 */
import { UndoStack, type DriverContext, type EndpointInfo, type JoinResult, type Kernel, type NetworkInfo, type SandboxInfo } from "@netd/driverapi";
import { endpointMac, parseEndpoint, parseNetwork, type MacvlanNetwork } from "./options.js";
import { endpointKey, gatewayKey, type EndpointState } from "./state.js";

export async function join(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<JoinResult> {
  const net = parseNetwork(network);
  const k = ctx.kernel;
  const ifname = parseEndpoint(endpoint) ?? (await freeName(k, sandbox.netns));
  const mac = net.mode === "passthru" ? undefined : endpointMac(endpoint);
  const undo = new UndoStack();
  try {
    await k.links.addChild(ctx.hostNetns, { name: ifname, parent: net.parent, kind: "macvlan", mode: net.mode, netns: sandbox.netns, ...(mac ? { mac } : {}) });
    undo.push("macvlan link", () => k.links.delete(sandbox.netns, ifname));
    if (endpoint.ipv4) await k.addresses.add(sandbox.netns, ifname, endpoint.ipv4);
    if (endpoint.ipv6) await k.addresses.add(sandbox.netns, ifname, endpoint.ipv6, { nodad: true });
    await k.links.set(sandbox.netns, ifname, { up: true });
  } catch (e) {
    await undo.rollback();
    throw e;
  }
  // Internal networks never provide a gateway; otherwise the one the user gave, if any.
  const gateway4 = network.internal || !endpoint.ipv4 ? null : (network.ipv4?.gateway ?? null);
  const gateway6 = network.internal || !endpoint.ipv6 ? null : (network.ipv6?.gateway ?? null);
  const state: EndpointState = { ifname, gateway4, gateway6 };
  await ctx.state.put(endpointKey(endpoint.id), state);
  return { interfaceName: ifname, gateway4, gateway6 };
}

export async function leave(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<void> {
  const k = ctx.kernel;
  if (await k.netns.exists(sandbox.netns)) {
    const saved = await ctx.state.get<EndpointState>(endpointKey(endpoint.id));
    const name = saved?.ifname ?? (await findLink(k, ctx.hostNetns, network, endpoint, sandbox));
    // The link takes its addresses and routes along.
    if (name) await k.links.delete(sandbox.netns, name);
  }
  await ctx.state.delete(endpointKey(endpoint.id));
  await ctx.state.delete(gatewayKey(sandbox.id, endpoint.id));
}

/** After a crash discarded the state: the sandbox's macvlan link with the endpoint's MAC (passthru: on the parent). */
async function findLink(k: Kernel, hostNetns: string, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<string | null> {
  let net: MacvlanNetwork;
  try {
    net = parseNetwork(network);
  } catch {
    return null;
  }
  const { mode, parent: parentName } = net;
  const links = (await k.links.list(sandbox.netns)).filter((l) => l.kind === "macvlan");
  if (mode !== "passthru") return links.find((l) => l.mac === endpointMac(endpoint))?.name ?? null;
  const parent = await k.links.get(hostNetns, parentName);
  return links.find((l) => parent !== null && l.parentIndex === parent.index)?.name ?? null;
}

/** eth0, eth1, …: the first not used in the sandbox. */
async function freeName(k: Kernel, netns: string): Promise<string> {
  const used = new Set((await k.links.list(netns)).map((l) => l.name));
  let i = 0;
  while (used.has(`eth${i}`)) i++;
  return `eth${i}`;
}
