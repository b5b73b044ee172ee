import { invalidArgument } from "@netd/driverapi";
import { ipamError } from "./errors.js";
import type { FamilyPlan } from "./family.js";
import { FamilyState, planFamily } from "./family.js";
import { parseAddress, parseEndpointAddress } from "./parse.js";
import type { Pool } from "./pools.js";
import { DOCKER_DEFAULT_POOLS4, firstFreeSubnet, parsePools } from "./pools.js";
import type { Family, Prefix } from "./subnet.js";
import { canonical, familyName, formatIp, formatPrefix, overlaps, parseCidr, parseIp } from "./subnet.js";
import type {
  IpamNetworkAllocation,
  IpamNetworkRequest,
  IpamOptions,
  IpamStoredAllocation,
  IpamUsage,
} from "./types.js";
import { cryptoRandom, generateUla48 } from "./ula.js";

interface NetworkRecord {
  readonly id: string;
  readonly name: string;
  readonly ipv4: FamilyState | null;
  readonly ipv6: FamilyState | null;
}

/**
 * Address management for every network of one controller: subnets (explicit or from the
 * default pools), gateways, aux addresses and endpoint addresses. Pure bookkeeping, no I/O.
 *
 * Order of calls: `allocateNetwork` (or `restoreNetwork` at daemon start) → (`allocateAddress`
 * → `releaseAddress`)* → `releaseNetwork` (reference-libnetwork.md §1.2–§1.4: IPAM is
 * released first on network delete and last on endpoint delete).
 *
 * Be aware:
 * - Every method validates everything before changing anything: a call that throws leaves
 *   IPAM exactly as it was, so the controller only has to undo its own later steps.
 * - No two networks may have overlapping subnets of the same family, whatever their driver.
 * - Dynamic addresses are handed out serially (next after the last one given, wrapping), so
 *   a released address is not reused at once.
 */
export class Ipam {
  /** The IPv6 prefix /64s are carved from; store it to get the same prefix after a restart. */
  readonly ula48: string;
  private readonly pools4: readonly Pool[];
  private readonly pools6: readonly Pool[];
  private readonly networks = new Map<string, NetworkRecord>();

  /** Validates the options (INVALID_POOL) and, unless `ula48` is given, draws the ULA prefix. */
  constructor(options: IpamOptions = {}) {
    this.pools4 = parsePools(4, options.defaultPools4 ?? DOCKER_DEFAULT_POOLS4, "default IPv4 pool");
    this.ula48 = options.ula48 ?? generateUla48(options.random ?? cryptoRandom);
    if ((parseCidr(this.ula48)?.length ?? 0) > 64) {
      throw ipamError("INVALID_POOL", `ULA prefix ${this.ula48} is longer than /64`, "give a /48 (or any prefix up to /64)", {
        ula48: this.ula48,
      });
    }
    this.pools6 = parsePools(6, [{ base: this.ula48, size: 64 }], "ULA prefix");
  }

  /**
   * Allocates the subnets, gateways and aux addresses of a new network, both families
   * together or nothing. Called by the controller before `driver.createNetwork`.
   * Throws NETWORK_EXISTS, INVALID_*, SUBNET_REQUIRED, GATEWAY_OUT_OF_SUBNET,
   * ADDRESS_OUT_OF_SUBNET, SUBNET_OVERLAP, POOLS_EXHAUSTED.
   */
  allocateNetwork(req: IpamNetworkRequest): IpamNetworkAllocation {
    this.assertNew(req.networkId);
    const plan4 = req.ipv4 ? planFamily(4, req.ipv4) : null;
    const plan6 = req.ipv6 ? planFamily(6, req.ipv6) : null;
    const avoid = (req.avoid ?? []).map(parseAvoided).filter((p): p is Prefix => p !== null);
    const ipv4 = plan4 ? this.resolve(plan4, req.networkName, req.reserveGateway, avoid) : null;
    const ipv6 = plan6 ? this.resolve(plan6, req.networkName, req.reserveGateway, avoid) : null;
    const record: NetworkRecord = { id: req.networkId, name: req.networkName, ipv4, ipv6 };
    this.networks.set(req.networkId, record);
    return allocationOf(record);
  }

  /**
   * Forgets a network and frees its subnets for other networks. Called on network delete,
   * after its endpoints are gone. An unknown id is a no-op.
   */
  releaseNetwork(networkId: string): void {
    this.networks.delete(networkId);
  }

  /**
   * Assigns an endpoint address of `family`: `requested` (an address without prefix, e.g.
   * "10.0.0.5"; anywhere in the subnet, not only in the ip-range) or, when absent, the next
   * free one in the ip-range (or subnet). Returns it with the subnet's prefix, e.g.
   * "10.0.0.2/24". Called on endpoint create, once per family the endpoint uses.
   * Throws NETWORK_NOT_FOUND, FAMILY_DISABLED, INVALID_ADDRESS, ADDRESS_OUT_OF_SUBNET,
   * ADDRESS_IN_USE, ADDRESSES_EXHAUSTED.
   */
  allocateAddress(networkId: string, family: 4 | 6, requested?: string): string {
    const record = this.get(networkId);
    const state = this.familyOf(record, family);
    let value: bigint;
    if (requested !== undefined) {
      value = parseAddress(family, requested, "address");
      state.checkStatic(value, record.name);
      state.addresses.take(value, { kind: "endpoint" });
    } else {
      const next = state.addresses.next();
      if (next === null) throw exhausted(record, state);
      value = next;
    }
    return `${formatIp(family, value)}/${state.subnet.length}`;
  }

  /**
   * Frees an endpoint address, written with or without its prefix. Called on endpoint
   * delete (last) and to undo an allocateAddress. An unknown network, a disabled family,
   * an address not held by an endpoint (free, the gateway, an aux address) are no-ops;
   * only a malformed address throws (INVALID_ADDRESS).
   *
   * `options.rewind` is for rollback: when `address` is the last one handed out
   * dynamically, the cursor moves back onto it, so the failed create leaves no trace and
   * the next endpoint gets the same address. A normal release (endpoint delete) must not
   * rewind: a just-freed address may still sit in neighbour caches and conntrack.
   */
  releaseAddress(networkId: string, family: 4 | 6, address: string, options: { readonly rewind?: boolean } = {}): void {
    const state = family === 4 ? this.networks.get(networkId)?.ipv4 : this.networks.get(networkId)?.ipv6;
    if (!state) {
      parseAddress(family, address.split("/")[0] ?? address, "address");
      return;
    }
    state.addresses.release(parseEndpointAddress(family, address, state.subnet), options.rewind ?? false);
  }

  /**
   * Re-marks a stored network and its endpoint addresses (CIDRs or plain addresses of
   * either family) exactly as stored, at daemon start, instead of allocateNetwork. The
   * gateway is the stored one (none when null). Dynamic allocation continues after the
   * highest restored address of the ip-range (or subnet). Throws like allocateNetwork and
   * allocateAddress on any conflict or invalid value (plus INVALID_ADDRESS for an
   * unparseable stored address), restoring nothing.
   */
  restoreNetwork(
    networkId: string,
    networkName: string,
    allocation: IpamStoredAllocation,
    addresses: readonly string[],
  ): void {
    this.assertNew(networkId);
    const stored = (family: Family): FamilyState | null => {
      const data = family === 4 ? allocation.ipv4 : allocation.ipv6;
      if (!data) return null;
      const plan = planFamily(family, {
        subnet: data.subnet,
        ...(data.ipRange !== null ? { ipRange: data.ipRange } : {}),
        ...(data.gateway !== null ? { gateway: data.gateway } : {}),
        ...(data.auxAddresses ? { auxAddresses: data.auxAddresses } : {}),
      });
      return this.resolve(plan, networkName, false, []);
    };
    const record: NetworkRecord = { id: networkId, name: networkName, ipv4: stored(4), ipv6: stored(6) };
    const highest = new Map<FamilyState, bigint>();
    for (const text of addresses) {
      const ip = parseIp(text.split("/")[0] ?? text);
      if (!ip) throw invalidStoredAddress(text);
      const state = this.familyOf(record, ip.family);
      const value = parseEndpointAddress(ip.family, text, state.subnet);
      state.checkStatic(value, networkName);
      state.addresses.take(value, { kind: "endpoint" });
      if (state.addresses.inRange(value) && value > (highest.get(state) ?? -1n)) highest.set(state, value);
    }
    for (const [state, value] of highest) state.addresses.continueAfter(value);
    this.networks.set(networkId, record);
  }

  /** Counters for inspect and tests; throws NETWORK_NOT_FOUND for an unknown id. */
  usage(networkId: string): IpamUsage {
    const record = this.get(networkId);
    const v4 = record.ipv4?.usage();
    return {
      ipv4: v4 ? { allocated: Number(v4.allocated), total: Number(v4.total) } : null,
      ipv6: record.ipv6?.usage() ?? null,
    };
  }

  /** The network's current allocation, or undefined when IPAM does not know the id. */
  allocation(networkId: string): IpamNetworkAllocation | undefined {
    const record = this.networks.get(networkId);
    return record ? allocationOf(record) : undefined;
  }

  private resolve(plan: FamilyPlan, networkName: string, reserveGateway: boolean, avoid: readonly Prefix[]): FamilyState {
    const subnet = plan.subnet ?? this.fromPools(plan.family, avoid);
    if (plan.subnet) this.assertNoOverlap(plan.subnet);
    return FamilyState.build({ ...plan, subnet }, reserveGateway, networkName);
  }

  private fromPools(family: Family, avoid: readonly Prefix[]): Prefix {
    const pools = family === 4 ? this.pools4 : this.pools6;
    const found = firstFreeSubnet(pools, [...this.subnets(family).map((s) => s.subnet), ...avoid]);
    if (found) return found;
    if (family === 6) {
      throw ipamError(
        "POOLS_EXHAUSTED",
        `every /64 of the IPv6 ULA prefix ${this.ula48} is in use`,
        "give an explicit IPv6 subnet or remove unused networks",
        { ula48: this.ula48 },
      );
    }
    const none = pools.length === 0;
    throw ipamError(
      "POOLS_EXHAUSTED",
      none ? "no default IPv4 address pool is configured" : `all default IPv4 address pools are in use${avoid.some((a) => a.family === 4) ? " or overlap a prefix to avoid (a host route)" : ""}`,
      none ? "give an explicit IPv4 subnet" : "give an explicit IPv4 subnet, remove unused networks, or add default address pools",
      { pools: pools.map((p) => `${formatPrefix(p.base)} size ${p.size}`), ...(avoid.length > 0 ? { avoided: avoid.filter((a) => a.family === 4).map(formatPrefix) } : {}) },
    );
  }

  private assertNoOverlap(subnet: Prefix): void {
    for (const { record, subnet: other } of this.subnets(subnet.family)) {
      if (!overlaps(subnet, other)) continue;
      const mine = formatPrefix(subnet);
      const theirs = formatPrefix(other);
      throw ipamError(
        "SUBNET_OVERLAP",
        `subnet ${mine} overlaps network '${record.name}' (${theirs})`,
        `pick another subnet or remove '${record.name}'`,
        { subnet: mine, network: record.name, networkId: record.id, networkSubnet: theirs },
      );
    }
  }

  private subnets(family: Family): Array<{ record: NetworkRecord; subnet: Prefix }> {
    const out: Array<{ record: NetworkRecord; subnet: Prefix }> = [];
    for (const record of this.networks.values()) {
      const state = family === 4 ? record.ipv4 : record.ipv6;
      if (state) out.push({ record, subnet: state.subnet });
    }
    return out;
  }

  private assertNew(networkId: string): void {
    if (networkId === "") {
      throw invalidArgument("IPAM was given an empty network id", "pass the id of the network being created");
    }
    const existing = this.networks.get(networkId);
    if (existing) {
      throw ipamError(
        "NETWORK_EXISTS",
        `IPAM already holds an allocation for network '${existing.name}' (${networkId})`,
        "release it first, or use another network id",
        { networkId },
      );
    }
  }

  private get(networkId: string): NetworkRecord {
    const record = this.networks.get(networkId);
    if (record) return record;
    throw ipamError(
      "NETWORK_NOT_FOUND",
      `IPAM holds no allocation for network ${networkId}`,
      "create (or restore) the network before allocating addresses in it",
      { networkId },
    );
  }

  private familyOf(record: NetworkRecord, family: Family): FamilyState {
    const state = family === 4 ? record.ipv4 : record.ipv6;
    if (state) return state;
    throw ipamError(
      "FAMILY_DISABLED",
      `network '${record.name}' has no ${familyName(family)} subnet`,
      `enable ${familyName(family)} on the network, or do not ask for an ${familyName(family)} address`,
      { network: record.name, family },
    );
  }
}

function allocationOf(record: NetworkRecord): IpamNetworkAllocation {
  return { ipv4: record.ipv4?.allocation() ?? null, ipv6: record.ipv6?.allocation() ?? null };
}

function exhausted(record: NetworkRecord, state: FamilyState) {
  const subnet = formatPrefix(state.subnet);
  const where = state.range ? `${subnet}, ip-range ${formatPrefix(state.range)}` : subnet;
  return ipamError(
    "ADDRESSES_EXHAUSTED",
    `no free ${familyName(state.family)} address in network '${record.name}' (${where})`,
    "remove unused endpoints, or recreate the network with a larger subnet or ip-range",
    { network: record.name, subnet, ipRange: state.range ? formatPrefix(state.range) : null },
  );
}

function invalidStoredAddress(text: string) {
  return ipamError("INVALID_ADDRESS", `stored address '${text}' is not a valid IP address`, "fix or drop the stored endpoint", {
    address: text,
  });
}

/** A prefix to avoid, canonical; a plain address counts as a host prefix. */
function parseAvoided(text: string): Prefix | null {
  const cidr = parseCidr(text.includes("/") ? text : `${text}/${text.includes(":") ? 128 : 32}`);
  return cidr ? canonical(cidr) : null;
}
