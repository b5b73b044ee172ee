/**
 * Subnets dockerd would not let a network take: loopback, multicast and other reserved ranges
 * (refused), and prefixes the host already routes on a link, such as its uplink's (refused:
 * the bridge's connected route would shadow the host's, breaking published ports and the
 * host's own traffic). A prefix the host reaches through a gateway only draws a warning.
 */
import { NetdError } from "@netd/driverapi";
import type { HostView } from "./host-view.js";
import { contains, overlaps, parsePrefix } from "./prefix.js";
import type { Prefix } from "./prefix.js";

const RESERVED: ReadonlyArray<readonly [string, string]> = [
  ["0.0.0.0/8", "'this network' (0.0.0.0/8)"],
  ["127.0.0.0/8", "loopback (127.0.0.0/8)"],
  ["224.0.0.0/4", "multicast (224.0.0.0/4)"],
  ["240.0.0.0/4", "reserved (240.0.0.0/4)"],
  ["::/128", "the unspecified address (::)"],
  ["::1/128", "loopback (::1)"],
  ["fe80::/10", "link-local (fe80::/10)"],
  ["ff00::/8", "multicast (ff00::/8)"],
];

/** Stable codes of the refusals. */
export const SUBNET_GUARD_CODES = { reserved: "SUBNET_RESERVED", hostRoute: "SUBNET_OVERLAPS_HOST_ROUTE" } as const;

/** Refuses a subnet in a reserved range, naming the range. */
export function checkReserved(subnet: string): void {
  const p = parsePrefix(subnet);
  if (!p) return; // IPAM reports malformed subnets with its own message.
  for (const [range, what] of RESERVED) {
    const r = parsePrefix(range)!;
    if (overlaps(p, r)) {
      throw new NetdError({ code: SUBNET_GUARD_CODES.reserved, category: "invalid", message: `subnet ${subnet} overlaps ${what}, which a network cannot use`, hint: "pick a private range such as 10.x.0.0/24, 172.16.0.0/12 or fd00::/8", details: { subnet, range } });
    }
  }
}

/**
 * Checks `subnets` against the host's routes. Routes inside `ownSubnets` (netd's own networks'
 * subnets) are netd's and ignored. Throws for an on-link overlap; returns warnings otherwise.
 */
export async function checkHostRoutes(subnets: readonly string[], ownSubnets: readonly string[], host: HostView): Promise<string[]> {
  const own = ownSubnets.map(parsePrefix).filter((p): p is Prefix => p !== null);
  const routes = (await host.routes()).filter((r) => {
    const p = parsePrefix(r.to);
    return p !== null && !own.some((o) => contains(o, p));
  });
  const warnings: string[] = [];
  for (const subnet of subnets) {
    const p = parsePrefix(subnet);
    if (!p) continue;
    for (const r of routes) {
      if (!overlaps(p, parsePrefix(r.to)!)) continue;
      const where = r.dev ? ` (dev ${r.dev})` : "";
      if (r.onLink) {
        throw new NetdError({
          code: SUBNET_GUARD_CODES.hostRoute,
          category: "conflict",
          message: `subnet ${subnet} overlaps the host's route to ${r.to}${where}; the network would cut the host off from that link`,
          hint: "pick a subnet the host does not use (ip route shows its routes)",
          details: { subnet, route: r.to, ...(r.dev ? { dev: r.dev } : {}) },
        });
      }
      warnings.push(`subnet ${subnet} overlaps the host's route to ${r.to}${where}; that traffic now goes to the network`);
    }
  }
  return warnings;
}

/** The first of Docker's default pools (172.17–31/16, then 192.168.x.0/20) that overlaps no host route or `taken` subnet. */
export async function freeDefaultSubnet(taken: readonly string[], host: HostView): Promise<string | null> {
  const used = [...taken, ...(await host.routes()).map((r) => r.to)].map(parsePrefix).filter((p): p is Prefix => p !== null);
  const candidates = [...Array.from({ length: 15 }, (_, i) => `172.${17 + i}.0.0/16`), ...Array.from({ length: 16 }, (_, i) => `192.168.${i * 16}.0/20`)];
  return candidates.find((c) => !used.some((u) => overlaps(parsePrefix(c)!, u))) ?? null;
}
