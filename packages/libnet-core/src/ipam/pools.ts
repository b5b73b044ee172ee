/**
 * Default address pools: where a network's subnet comes from when the user gives none.
 * IPv4 uses Docker's `default-address-pools`; IPv6 carves /64s out of the ULA prefix.
 */
import { ipamError } from "./errors.js";
import type { Family, Prefix } from "./subnet.js";
import { bitsOf, canonical, formatPrefix, isCanonical, lastAddress, overlaps, parseCidr } from "./subnet.js";
import type { IpamPool } from "./types.js";

/** A validated pool: subnets of length `size` carved from `base`, in address order. */
export interface Pool {
  readonly base: Prefix;
  readonly size: number;
}

/** Docker's default-address-pools: 172.17–172.31 as /16s, then 192.168.0.0/16 as /20s. */
export const DOCKER_DEFAULT_POOLS4: readonly IpamPool[] = Object.freeze([
  ...Array.from({ length: 15 }, (_, i) => ({ base: `172.${17 + i}.0.0/16`, size: 16 })),
  { base: "192.168.0.0/16", size: 20 },
]);

/**
 * Validates configured pools of `family` (called once, by the Ipam constructor). `what`
 * names the option in messages. Throws INVALID_POOL.
 */
export function parsePools(family: Family, pools: readonly IpamPool[], what: string): Pool[] {
  return pools.map(({ base, size }) => {
    const prefix = parseCidr(base);
    if (!prefix || prefix.family !== family || !isCanonical(prefix)) {
      const fix = prefix && prefix.family === family ? `use ${formatPrefix(canonical(prefix))}` : `give an ${family === 4 ? "IPv4" : "IPv6"} CIDR`;
      throw ipamError("INVALID_POOL", `${what} base '${base}' is not a valid ${family === 4 ? "IPv4" : "IPv6"} subnet`, fix, { base });
    }
    if (!Number.isInteger(size) || size < prefix.length || size > bitsOf(family)) {
      throw ipamError(
        "INVALID_POOL",
        `${what} size ${size} does not fit base ${base}`,
        `use a prefix length between ${prefix.length} and ${bitsOf(family)}`,
        { base, size },
      );
    }
    return { base: prefix, size };
  });
}

/**
 * The first subnet of the pools, in order, that overlaps none of `taken`; null when every
 * one does. Skips whole taken prefixes at a time, so a pool of 65536 /24s costs
 * O(taken²), not O(65536 × taken).
 */
export function firstFreeSubnet(pools: readonly Pool[], taken: readonly Prefix[]): Prefix | null {
  for (const { base, size } of pools) {
    const step = 1n << BigInt(bitsOf(base.family) - size);
    const end = lastAddress(base);
    let start = base.base;
    while (start <= end) {
      const candidate: Prefix = { family: base.family, base: start, length: size };
      const hit = taken.find((t) => overlaps(t, candidate));
      if (!hit) return candidate;
      const pastHit = lastAddress(hit) + 1n;
      const next = pastHit > start + step ? pastHit : start + step;
      start = ((next + step - 1n) / step) * step;
    }
  }
  return null;
}
