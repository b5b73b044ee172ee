/**
 * createEndpoint, join and leave. The ipvlan link is created on the parent directly inside
 * the sandbox namespace (one netlink request), gets the endpoint's addresses and goes up.
 */
import type { DriverContext, EndpointInfo, IpFamily, JoinResult, NetnsPath, NetworkInfo, RouteSpec, SandboxInfo } from "@netd/driverapi";
import { isNetdError, UndoStack } from "@netd/driverapi";
import type { EndpointTable, JoinedEndpoint } from "./endpoints.js";
import { ipvlanError } from "./errors.js";
import { parseNetworkOptions, requestedIfname, type IpvlanConfig } from "./options.js";
import { missingFeature } from "./parent.js";

const epKey = (endpointId: string) => `ep/${endpointId}`;

/** Refuses a custom MAC with the reference's message. */
export function checkEndpoint(endpoint: EndpointInfo): void {
  requestedIfname(endpoint);
  if (endpoint.mac !== null) {
    throw ipvlanError("CUSTOM_MAC", `ipvlan interfaces do not support custom mac address assignment (got ${endpoint.mac})`, "remove the MAC address: an ipvlan endpoint uses its parent's MAC", { mac: endpoint.mac });
  }
}

/** The requested name if free, else the first free ethN. */
async function chooseIfname(ctx: DriverContext, netns: NetnsPath, wanted: string | null): Promise<string> {
  const names = new Set((await ctx.kernel.links.list(netns)).map((l) => l.name));
  if (wanted !== null) {
    if (names.has(wanted)) throw ipvlanError("IFNAME_CONFLICT", `interface '${wanted}' already exists in sandbox namespace ${netns}`, "pick another com.docker.network.endpoint.ifname", { ifname: wanted, netns });
    return wanted;
  }
  let i = 0;
  while (names.has(`eth${i}`)) i++;
  return `eth${i}`;
}

/** The default route of `family` while the endpoint is the gateway, and what core is told. */
function routeFor(cfg: IpvlanConfig, network: NetworkInfo, endpoint: EndpointInfo, family: IpFamily, ifname: string): { route: RouteSpec | null; gateway: string | null; force: boolean } {
  const addr = family === 4 ? endpoint.ipv4 : endpoint.ipv6;
  if (cfg.internal || addr === null) return { route: null, gateway: null, force: false };
  if (cfg.mode !== "l2") return { route: { to: "default", family, dev: ifname }, gateway: null, force: true };
  const gw = (family === 4 ? network.ipv4 : network.ipv6)?.gateway ?? null;
  if (gw === null) return { route: null, gateway: null, force: true };
  return { route: { to: "default", family, via: gw, dev: ifname }, gateway: gw, force: false };
}

/** Joins; see the module comment. Undoes everything on failure. */
export async function join(ctx: DriverContext, table: EndpointTable, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<JoinResult> {
  const cfg = parseNetworkOptions(network);
  const ifname = await chooseIfname(ctx, sandbox.netns, requestedIfname(endpoint));
  const undo = new UndoStack();
  try {
    await ctx.kernel.links
      .addChild(ctx.hostNetns, { name: ifname, parent: cfg.parent, kind: "ipvlan", mode: cfg.mode, flag: cfg.flag, netns: sandbox.netns })
      .catch((e: unknown) => Promise.reject(missingFeature(e, "ipvlan", network.name)));
    undo.push(`ipvlan ${ifname}`, () => ctx.kernel.links.delete(sandbox.netns, ifname));
    if (endpoint.ipv4) await ctx.kernel.addresses.add(sandbox.netns, ifname, endpoint.ipv4);
    if (endpoint.ipv6) await ctx.kernel.addresses.add(sandbox.netns, ifname, endpoint.ipv6, { nodad: true });
    await ctx.kernel.links.set(sandbox.netns, ifname, { up: true });
    await ctx.state.put(epKey(endpoint.id), { ifname });
    undo.commit();
  } catch (e) {
    await undo.rollback();
    throw e;
  }
  const r4 = routeFor(cfg, network, endpoint, 4, ifname);
  const r6 = routeFor(cfg, network, endpoint, 6, ifname);
  const joined: JoinedEndpoint = { netns: sandbox.netns, ifname, wanted: { 4: r4.route, 6: r6.route }, applied: new Set() };
  table.set(endpoint.id, joined);
  return { interfaceName: ifname, gateway4: r4.gateway, gateway6: r6.gateway, forceGateway4: r4.force, forceGateway6: r6.force };
}

/** Rebuilds an endpoint's record for `restore`: its link found by state or by address, routes read back. */
export async function rediscover(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<JoinedEndpoint | null> {
  const ifname = await findIfname(ctx, network, endpoint, sandbox.netns);
  if (ifname === null) return null;
  const cfg = parseNetworkOptions(network);
  const wanted = { 4: routeFor(cfg, network, endpoint, 4, ifname).route, 6: routeFor(cfg, network, endpoint, 6, ifname).route };
  const applied = new Set<IpFamily>();
  for (const family of [4, 6] as const) {
    const w = wanted[family];
    if (w === null) continue;
    const routes = await ctx.kernel.routes.list(sandbox.netns, family);
    if (routes.some((r) => r.to === "default" && r.dev === ifname && (r.via ?? null) === (w.via ?? null))) applied.add(family);
  }
  return { netns: sandbox.netns, ifname, wanted, applied };
}

/**
 * The endpoint's interface: from the committed state, else the ipvlan link holding its
 * address, else the ipvlan link on the network's parent (a join interrupted before its
 * addresses and its state write; a parent carries one network, a sandbox one endpoint of it).
 */
async function findIfname(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, netns: NetnsPath): Promise<string | null> {
  const saved = await ctx.state.get<{ ifname: string }>(epKey(endpoint.id));
  if (saved) return saved.ifname;
  const mine = [endpoint.ipv4, endpoint.ipv6].filter((a): a is string => a !== null);
  const addrs = await ctx.kernel.addresses.list(netns);
  const hit = addrs.find((a) => mine.includes(a.address));
  const link = hit ? await ctx.kernel.links.get(netns, hit.link) : null;
  if (link?.kind === "ipvlan") return link.name;
  const parent = await ctx.kernel.links.get(ctx.hostNetns, parseNetworkOptions(network).parent);
  if (parent === null) return null;
  const child = (await ctx.kernel.links.list(netns)).find((l) => l.kind === "ipvlan" && l.parentIndex === parent.index);
  return child?.name ?? null;
}

/** Deletes the endpoint's link (its routes go with it); a vanished sandbox namespace is fine. */
export async function leave(ctx: DriverContext, table: EndpointTable, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<void> {
  try {
    const ifname = table.get(endpoint.id)?.ifname ?? (await findIfname(ctx, network, endpoint, sandbox.netns));
    if (ifname !== null) await ctx.kernel.links.delete(sandbox.netns, ifname);
  } catch (e) {
    if (!(isNetdError(e) && e.code === "NETNS_NOT_FOUND")) throw e;
  }
  table.delete(endpoint.id);
  await ctx.state.delete(epKey(endpoint.id));
}
