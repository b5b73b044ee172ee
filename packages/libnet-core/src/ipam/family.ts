/**
 * One address family of one network: the validated request (a plan), and the live state
 * built from it (subnet, range, gateway, aux addresses and the taken set).
 */
import { AddressSet } from "./address-set.js";
import { ipamError } from "./errors.js";
import { checkAssignable, parseAddress, parseSubnet, usableSpan } from "./parse.js";
import type { Family, Prefix } from "./subnet.js";
import { bitsOf, containsPrefix, formatIp, formatPrefix, lastAddress, usableBounds } from "./subnet.js";
import type { IpamFamilyAllocation, IpamFamilyRequest } from "./types.js";

/** A validated family request; `subnet` null means "take one from the default pools". */
export interface FamilyPlan {
  readonly family: Family;
  readonly subnet: Prefix | null;
  readonly range: Prefix | null;
  readonly gateway: bigint | null;
  readonly aux: ReadonlyMap<string, bigint>;
}

/** Validates a family request without looking at other networks; throws on the first problem. */
export function planFamily(family: Family, req: IpamFamilyRequest): FamilyPlan {
  const auxEntries = Object.entries(req.auxAddresses ?? {});
  if (req.subnet === undefined) {
    const given = [
      req.ipRange !== undefined ? `ip-range ${req.ipRange}` : null,
      req.gateway !== undefined ? `gateway ${req.gateway}` : null,
      auxEntries.length > 0 ? "aux-addresses" : null,
    ].filter((x) => x !== null);
    if (given.length > 0) {
      throw ipamError(
        "SUBNET_REQUIRED",
        `${given.join(", ")} given without an ${family === 4 ? "IPv4" : "IPv6"} subnet`,
        "also give the subnet they belong to",
        { family },
      );
    }
    return { family, subnet: null, range: null, gateway: null, aux: new Map() };
  }
  const subnet = parseSubnet(family, req.subnet);
  const range = req.ipRange === undefined ? null : parseRange(subnet, req.ipRange);
  let gateway: bigint | null = null;
  if (req.gateway !== undefined) {
    gateway = parseAddress(family, req.gateway, "gateway");
    checkAssignable(subnet, gateway, "gateway", "GATEWAY_OUT_OF_SUBNET");
  }
  const aux = new Map<string, bigint>();
  const owner = new Map<bigint, string>();
  for (const [name, text] of auxEntries) {
    if (name === "") {
      throw ipamError("INVALID_ADDRESS", `aux-address ${text} has an empty name`, "write it as name=address", { address: text });
    }
    const role = `aux-address '${name}'`;
    const value = parseAddress(family, text, role);
    checkAssignable(subnet, value, role, "ADDRESS_OUT_OF_SUBNET");
    const clash = value === gateway ? "the gateway" : owner.has(value) ? `aux-address '${owner.get(value)}'` : null;
    if (clash !== null) {
      throw ipamError("INVALID_ADDRESS", `${role} ${text} is also ${clash}`, "give each reserved address only once", {
        address: text,
      });
    }
    aux.set(name, value);
    owner.set(value, name);
  }
  return { family, subnet, range, gateway, aux };
}

function parseRange(subnet: Prefix, text: string): Prefix {
  const range = parseSubnet(subnet.family, text, "ip-range");
  const cidr = formatPrefix(subnet);
  if (!containsPrefix(subnet, range)) {
    throw ipamError("INVALID_IP_RANGE", `ip-range ${text} is not inside subnet ${cidr}`, "pick a range inside the subnet", {
      ipRange: text,
      subnet: cidr,
    });
  }
  const { first, last } = dynamicBounds(subnet, range);
  if (last < first) {
    throw ipamError(
      "INVALID_IP_RANGE",
      `ip-range ${text} holds no assignable address of subnet ${cidr}`,
      `pick a range with addresses between ${usableSpan(subnet)}`,
      { ipRange: text, subnet: cidr },
    );
  }
  return range;
}

/** The addresses dynamic allocation may hand out: the usable part of the range (or subnet). */
function dynamicBounds(subnet: Prefix, range: Prefix | null): { first: bigint; last: bigint } {
  const usable = usableBounds(subnet);
  if (!range) return usable;
  const rangeLast = lastAddress(range);
  return {
    first: range.base > usable.first ? range.base : usable.first,
    last: rangeLast < usable.last ? rangeLast : usable.last,
  };
}

/** Live state of one family of one network. */
export class FamilyState {
  private constructor(
    readonly subnet: Prefix,
    readonly range: Prefix | null,
    readonly gateway: bigint | null,
    readonly aux: ReadonlyMap<string, bigint>,
    readonly addresses: AddressSet,
  ) {}

  /**
   * Builds the state for a plan whose subnet is now known. Without an explicit gateway,
   * `reserveGateway` reserves the first usable address not held by an aux address; /31,
   * /32, /127 and /128 never get a default gateway (point-to-point).
   */
  static build(plan: FamilyPlan & { readonly subnet: Prefix }, reserveGateway: boolean, networkName: string): FamilyState {
    const { subnet, range, aux } = plan;
    let gateway = plan.gateway;
    if (gateway === null && reserveGateway && subnet.length < bitsOf(subnet.family) - 1) {
      gateway = defaultGateway(subnet, new Set(aux.values()), networkName);
    }
    const bounds = dynamicBounds(subnet, range);
    const addresses = new AddressSet(bounds.first, bounds.last);
    if (gateway !== null) addresses.take(gateway, { kind: "gateway" });
    for (const [name, value] of aux) addresses.take(value, { kind: "aux", name });
    return new FamilyState(subnet, range, gateway, aux, addresses);
  }

  /** Address family of this state. */
  get family(): Family {
    return this.subnet.family;
  }

  /** The allocation as handed to drivers and stored. */
  allocation(): IpamFamilyAllocation {
    const family = this.family;
    return {
      subnet: formatPrefix(this.subnet),
      gateway: this.gateway === null ? null : formatIp(family, this.gateway),
      ipRange: this.range === null ? null : formatPrefix(this.range),
      auxAddresses: Object.fromEntries([...this.aux].map(([name, value]) => [name, formatIp(family, value)])),
    };
  }

  /** Endpoint addresses held, and how many an endpoint could hold at most (see IpamFamilyUsage). */
  usage(): { allocated: bigint; total: bigint } {
    const { first, last } = usableBounds(this.subnet);
    const reserved = BigInt(this.aux.size) + (this.gateway === null ? 0n : 1n);
    return { allocated: this.addresses.endpoints, total: last - first + 1n - reserved };
  }

  /** Throws unless `value` may become a static endpoint address of this network now. */
  checkStatic(value: bigint, networkName: string): void {
    checkAssignable(this.subnet, value, "address", "ADDRESS_OUT_OF_SUBNET");
    const holder = this.addresses.occupant(value);
    if (!holder) return;
    const text = formatIp(this.family, value);
    const what =
      holder.kind === "endpoint"
        ? "is already in use"
        : holder.kind === "gateway"
          ? "is the gateway"
          : `is reserved as aux-address '${holder.name}'`;
    throw ipamError(
      "ADDRESS_IN_USE",
      `address ${text} ${what} in network '${networkName}'`,
      "pick another address, or leave it out to get a free one",
      { address: text, network: networkName },
    );
  }
}

function defaultGateway(subnet: Prefix, taken: ReadonlySet<bigint>, networkName: string): bigint {
  const { first, last } = usableBounds(subnet);
  for (let value = first; value <= last; value++) if (!taken.has(value)) return value;
  const cidr = formatPrefix(subnet);
  throw ipamError(
    "ADDRESSES_EXHAUSTED",
    `no free address for the gateway of network '${networkName}' (${cidr}): aux-addresses hold them all`,
    "reserve fewer aux-addresses or use a larger subnet",
    { subnet: cidr, network: networkName },
  );
}
