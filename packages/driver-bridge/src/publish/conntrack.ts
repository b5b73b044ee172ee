/** Flushing stale UDP conntrack entries when a UDP mapping appears, moves or goes (reference §4.5). */
import type { PublishContext } from "../model.js";
import type { AppliedBinding } from "./types.js";
import { isSixToFour, isUnspecified } from "./types.js";

/**
 * Deletes conntrack entries whose original destination is the host address and port of a
 * UDP NAT binding, so datagrams of a long-lived client flow are NATed afresh to the
 * binding's current container. Best effort: a failure is logged, never thrown.
 */
export async function flushUdp(ctx: PublishContext, bindings: readonly AppliedBinding[]): Promise<void> {
  for (const b of bindings) {
    if (b.protocol !== "udp" || b.mapper !== "nat" || isSixToFour(b)) continue;
    try {
      await ctx.kernel.conntrack.delete(ctx.hostNetns, {
        family: b.family,
        protocol: "udp",
        ...(isUnspecified(b.hostIp) ? {} : { origDst: b.hostIp }),
        origDstPort: b.hostPort,
      });
    } catch (error) {
      ctx.log.warn("failed to flush conntrack entries of a UDP port mapping", { hostIp: b.hostIp, hostPort: b.hostPort, error: String(error) });
    }
  }
}
