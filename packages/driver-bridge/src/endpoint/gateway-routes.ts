/**
 * Default routes in the sandbox, driven by the gateway change (DESIGN §3, reference §3.4):
 * exactly the endpoint that is gw4 (gw6) gets `default via <bridge gateway>`; release removes
 * the routes the new state no longer wants, acquire adds the new ones. The driver diffs
 * against what it installed (persisted), so an identical event is a no-op. An acquire that
 * fails (e.g. ROUTE_EXISTS: the container already has a default route, TestJoinError)
 * removes the routes it added in this call before throwing.
 */
import type { DriverContext, GatewayChange, RouteSpec } from "@netd/driverapi";
import { isNetdError } from "@netd/driverapi";
import type { BridgeNetworkConfig } from "../model.js";
import type { DriverState, EndpointState } from "../state.js";

function route(ep: EndpointState, network: BridgeNetworkConfig, family: 4 | 6): RouteSpec | null {
  const via = family === 4 ? network.gateway4 : network.gateway6;
  const addr = family === 4 ? ep.endpoint.ipv4 : ep.endpoint.ipv6;
  if (network.internal || via === null || addr === null) return null;
  return { to: "default", family, via, dev: ep.endpoint.ifname };
}

/**
 * Applies one phase for this driver's endpoints in the sandbox. For `acquire` it returns a
 * function that removes the routes this call added (the driver calls it when a later part
 * of the same acquire fails); for `release` the function does nothing.
 */
export async function applyGatewayRoutes(ctx: DriverContext, state: DriverState, change: GatewayChange): Promise<() => Promise<void>> {
  const mine = change.endpoints.map((e) => state.endpoints.get(e.id)).filter((e): e is EndpointState => e !== undefined);
  const want = (ep: EndpointState, f: 4 | 6): boolean => (f === 4 ? change.gw4 : change.gw6) === ep.endpoint.id;

  if (change.phase === "release") {
    const errors: unknown[] = [];
    for (const ep of mine) {
      for (const f of [4, 6] as const) {
        if (!ep.routes[f] || want(ep, f)) continue;
        const network = state.networks.get(ep.endpoint.networkId);
        const r = network ? route(ep, network, f) : null;
        try {
          if (r) await ctx.kernel.routes.delete(ep.endpoint.netns, r);
          const cur = state.endpoints.get(ep.endpoint.id) ?? ep;
          await state.putEndpoint(ctx.state, { ...cur, routes: { ...cur.routes, [f]: false } });
        } catch (e) {
          errors.push(e);
        }
      }
    }
    if (errors.length > 0) throw errors[0];
    return async () => {};
  }

  const added: Array<{ ep: EndpointState; f: 4 | 6; r: RouteSpec }> = [];
  const undo = async (): Promise<void> => {
    for (const { ep, f, r } of added.reverse()) {
      try {
        await ctx.kernel.routes.delete(ep.endpoint.netns, r);
        const cur = state.endpoints.get(ep.endpoint.id) ?? ep;
        await state.putEndpoint(ctx.state, { ...cur, routes: { ...cur.routes, [f]: false } });
      } catch (undoError) {
        ctx.log.error("removing a default route after a failed gateway change failed", { endpoint: ep.endpoint.id, error: String(undoError) });
      }
    }
    added.length = 0;
  };
  try {
    for (const ep of mine) {
      const network = state.networks.get(ep.endpoint.networkId);
      if (!network) continue;
      for (const f of [4, 6] as const) {
        const cur = state.endpoints.get(ep.endpoint.id) ?? ep;
        if (cur.routes[f] || !want(ep, f)) continue;
        const r = route(ep, network, f);
        if (!r) continue;
        await ctx.kernel.routes.add(ep.endpoint.netns, r);
        added.push({ ep, f, r });
        await state.putEndpoint(ctx.state, { ...cur, routes: { ...cur.routes, [f]: true } });
      }
    }
  } catch (e) {
    await undo();
    if (isNetdError(e) && e.code === "ROUTE_EXISTS") {
      ctx.log.warn("sandbox already has a default route", { sandbox: change.sandbox.name });
    }
    throw e;
  }
  return undo;
}

/**
 * Restore: the recorded route flags say what the last COMMITTED state installed, but a crash
 * in the middle of a gateway change may have removed or added a route since. Make the flags
 * say what the kernel has (one route list per sandbox and family), so the replay or the
 * finished operation that follows adds exactly the missing routes and removes the extra ones.
 */
export async function syncRouteFlags(ctx: DriverContext, state: DriverState): Promise<void> {
  const bySandbox = new Map<string, EndpointState[]>();
  for (const ep of state.endpoints.values()) bySandbox.set(ep.endpoint.netns, [...(bySandbox.get(ep.endpoint.netns) ?? []), ep]);
  for (const [netns, eps] of bySandbox) {
    for (const f of [4, 6] as const) {
      const present = await ctx.kernel.routes.list(netns, f);
      for (const ep of eps) {
        const network = state.networks.get(ep.endpoint.networkId);
        const r = network ? route(ep, network, f) : null;
        const has = r !== null && present.some((p) => isDefault(p) && p.via === r.via && p.dev === r.dev);
        const cur = state.endpoints.get(ep.endpoint.id) ?? ep;
        if (cur.routes[f] !== has) await state.putEndpoint(ctx.state, { ...cur, routes: { ...cur.routes, [f]: has } });
      }
    }
  }
}

function isDefault(r: RouteSpec): boolean {
  return r.to === "default" || r.to === "0.0.0.0/0" || r.to === "::/0";
}
