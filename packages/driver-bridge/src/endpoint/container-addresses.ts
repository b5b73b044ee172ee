/** Join step 2: the endpoint's addresses in the sandbox (IPv6 without DAD), then link up. */
import type { DriverContext, EndpointInfo } from "@netd/driverapi";
import type { BridgeEndpoint } from "../model.js";

export async function configureContainerEnd(ctx: DriverContext, info: EndpointInfo, ep: BridgeEndpoint): Promise<void> {
  if (info.ipv4) await ctx.kernel.addresses.add(ep.netns, ep.ifname, info.ipv4);
  if (info.ipv6) await ctx.kernel.addresses.add(ep.netns, ep.ifname, info.ipv6, { nodad: true });
  await ctx.kernel.links.set(ep.netns, ep.ifname, { up: true });
}
