/**
 * Join step 2: the endpoint's addresses in the sandbox, then link up. The three requests are
 * issued together, so the kernel layer sends them in one datagram on the sandbox's netlink
 * socket; every one is awaited before the first failure is thrown, so a rollback never races
 * a request still in flight.
 *
 * IPv6 addresses go in without DAD (`nodad`): IPAM owns the subnet, so a duplicate cannot
 * come from the network, and a tentative address would make the join return before the
 * interface can use it (about a second of DAD), breaking "when the call returns, it works".
 * The connect-moves-the-IPv6-gateway integration test holds this.
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

/**
 * Forgets what the host's bridge caches for the endpoint's addresses (D6). A departed
 * sandbox's MAC stays in the bridge's neighbour table (REACHABLE, then STALE and probed at the
 * old MAC) for 40–50 s, so a new sandbox reusing the address (static addresses, IPAM's cursor
 * after a restart) would be unreachable that long. Called on leave and again on join (a crash
 * may have skipped the leave). A gratuitous ARP from the container at link-up does not help:
 * its bridge port only starts forwarding after the carrier event, and the frame is dropped.
 */
export async function forgetNeighbours(ctx: DriverContext, bridge: string, ep: Pick<BridgeEndpoint, "ipv4" | "ipv6">): Promise<void> {
  const neighbours = ctx.kernel.neighbours;
  if (!neighbours) return;
  for (const address of [ep.ipv4, ep.ipv6]) if (address) await neighbours.delete(ctx.hostNetns, bridge, address);
}
