/**
 * Default address pools: where a network's subnet comes from when the user gives none.
 * IPv4 uses Docker's `default-address-pools`; IPv6 carves /64s out of the ULA prefix.
 */
import { ipamError } from "./errors.js";
import type { Family, Prefix } from "./subnet.js";
import { bitsOf, canonical, formatPrefix, isCanonical, lastAddress, parseCidr } from "./subnet.js";
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
 * one does. Walks the taken prefixes sorted by base next to the candidates and jumps past
 * each taken prefix at once, so a call costs O(taken · log taken), not O(candidates · taken).
 */
export function firstFreeSubnet(pools: readonly Pool[], taken: readonly Prefix[]): Prefix | null {
  for (const { base, size } of pools) {
    const sorted = taken
      .filter((t) => t.family === base.family)
      .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    const step = 1n << BigInt(bitsOf(base.family) - size);
    const end = lastAddress(base);
    let start = base.base;
    let i = 0;
    while (start <= end) {
      // Prefixes ending before the candidate can never overlap it or any later candidate.
      while (i < sorted.length && lastAddress(sorted[i]!) < start) i++;
      const hit = sorted[i];
      // Sorted by base: when the first remaining prefix starts after the candidate, none
      // of the others can reach into it either (a nested one starts inside its parent).
      if (hit === undefined || hit.base > start + step - 1n) return { family: base.family, base: start, length: size };
      const pastHit = lastAddress(hit) + 1n;
      const next = pastHit > start + step ? pastHit : start + step;
      start = ((next + step - 1n) / step) * step;
    }
  }
  return null;
}
