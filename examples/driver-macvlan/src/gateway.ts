/**
 * onGatewayChange: derive the wanted default routes from the event, compare with what was
 * applied (ctx.state), remove in `release`, add in `acquire`. An identical event changes nothing.
 */
import type { DriverContext, EndpointInfo, GatewayChange } from "@netd/driverapi";
import { endpointKey, gatewayKey, type AppliedGateway, type EndpointState } from "./state.js";

export async function onGatewayChange(ctx: DriverContext, change: GatewayChange): Promise<void> {
  for (const endpoint of change.endpoints) await applyFor(ctx, change, endpoint);
}

async function applyFor(ctx: DriverContext, change: GatewayChange, endpoint: EndpointInfo): Promise<void> {
  const ep = await ctx.state.get<EndpointState>(endpointKey(endpoint.id));
  if (!ep) return;
  const key = gatewayKey(change.sandbox.id, endpoint.id);
  const applied = (await ctx.state.get<AppliedGateway>(key)) ?? { v4: null, v6: null };
  const wanted: AppliedGateway = { v4: change.gw4 === endpoint.id ? ep.gateway4 : null, v6: change.gw6 === endpoint.id ? ep.gateway6 : null };
  const next = { ...applied };
  for (const [family, field] of [[4, "v4"], [6, "v6"]] as const) {
    const have = applied[field];
    const want = wanted[field];
    if (have === want) continue;
    const route = (via: string) => ({ to: "default", family: family, via, dev: ep.ifname });
    if (change.phase === "release" && have !== null) {
      await ctx.kernel.routes.delete(change.sandbox.netns, route(have));
      next[field] = null;
    }
    if (change.phase === "acquire" && want !== null) {
      await ctx.kernel.routes.add(change.sandbox.netns, route(want));
      next[field] = want;
    }
  }
  if (next.v4 !== applied.v4 || next.v6 !== applied.v6) await ctx.state.put(key, next);
}
