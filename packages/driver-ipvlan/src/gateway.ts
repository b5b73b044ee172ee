/**
 * onGatewayChange: a device (L3/L3S) or next-hop (L2 with a gateway) default route on the
 * endpoint's interface exactly while the endpoint is the sandbox's gateway for that family.
 * Removed in `release`, added in `acquire`, so another driver's route never coexists with ours.
 */
import type { DriverContext, GatewayChange, IpFamily } from "@netd/driverapi";
import { gatewayRole, isNetdError } from "@netd/driverapi";
import type { EndpointTable, JoinedEndpoint } from "./endpoints.js";

async function addRoute(ctx: DriverContext, ep: JoinedEndpoint, family: IpFamily): Promise<void> {
  const route = ep.wanted[family]!;
  try {
    await ctx.kernel.routes.add(ep.netns, route);
  } catch (e) {
    // Already ours (a replay after restart whose state was not rebuilt): fine. Anyone else's: fail.
    if (!(isNetdError(e) && e.code === "ROUTE_EXISTS")) throw e;
    const routes = await ctx.kernel.routes.list(ep.netns, family);
    if (!routes.some((r) => r.to === "default" && r.dev === ep.ifname)) throw e;
  }
  ep.applied.add(family);
}

/** Applies the difference between what `change` wants and what is installed. */
export async function onGatewayChange(ctx: DriverContext, table: EndpointTable, change: GatewayChange): Promise<void> {
  for (const info of change.endpoints) {
    const ep = table.get(info.id);
    if (!ep) continue;
    const role = gatewayRole(change, info.id);
    for (const family of [4, 6] as const) {
      const want = (family === 4 ? role.gw4 : role.gw6) && ep.wanted[family] !== null;
      const has = ep.applied.has(family);
      if (change.phase === "release" && has && !want) {
        await ctx.kernel.routes.delete(ep.netns, ep.wanted[family]!);
        ep.applied.delete(family);
      } else if (change.phase === "acquire" && want && !has) {
        await addRoute(ctx, ep, family);
      }
    }
  }
}
