/**
 * Join step 2: the endpoint's addresses in the sandbox (IPv6 without DAD) and link up. The
 * three requests are issued together, so the kernel layer sends them in one datagram on
 * the sandbox's netlink socket; every one is awaited before the first failure is thrown, so
 * a rollback never races a request still in flight.
 */
import type { DriverContext, EndpointInfo } from "@netd/driverapi";
import type { BridgeEndpoint } from "../model.js";

export async function configureContainerEnd(ctx: DriverContext, info: EndpointInfo, ep: BridgeEndpoint): Promise<void> {
  await settleAll([
    info.ipv4 ? ctx.kernel.addresses.add(ep.netns, ep.ifname, info.ipv4) : null,
    info.ipv6 ? ctx.kernel.addresses.add(ep.netns, ep.ifname, info.ipv6, { nodad: true }) : null,
    ctx.kernel.links.set(ep.netns, ep.ifname, { up: true }),
  ]);
}

/** Awaits every promise, then throws the first failure (in list order), if any. */
export async function settleAll(steps: ReadonlyArray<Promise<unknown> | null>): Promise<void> {
  const results = await Promise.allSettled(steps.filter((s): s is Promise<unknown> => s !== null));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
