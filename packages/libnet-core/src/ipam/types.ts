import type { IpamData } from "@netd/driverapi";

/**
 * What the user asked for one address family of a network (`docker network create
 * --subnet --ip-range --gateway --aux-address`). Every field is optional; absent means
 * "let IPAM choose". Addresses are written without a prefix, subnets as CIDR with no host
 * bits set.
 */
export interface IpamFamilyRequest {
  /** CIDR; absent → the next free default pool subnet (IPv4) or a ULA /64 (IPv6). */
  readonly subnet?: string;
  /** CIDR inside `subnet`; dynamic endpoint addresses come from here. Needs `subnet`. */
  readonly ipRange?: string;
  /** An address inside `subnet` (not its network or broadcast address). Needs `subnet`. */
  readonly gateway?: string;
  /** Addresses reserved so no endpoint gets them (name → address), inside `subnet`. Needs `subnet`. */
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

/** Input of {@link Ipam.allocateNetwork}, made by the controller while creating a network. */
export interface IpamNetworkRequest {
  readonly networkId: string;
  /** Used in error messages only ("overlaps network 'web'"). */
  readonly networkName: string;
  /** null = the family is disabled for this network. */
  readonly ipv4: IpamFamilyRequest | null;
  readonly ipv6: IpamFamilyRequest | null;
  /**
   * Reserve a gateway (the first usable address unless `gateway` is given); the controller
   * passes the driver's `capabilities.needsGatewayAddress`. When false, a gateway is
   * reserved only if `gateway` is given. /31 and /32 (IPv6 /127 and /128) never get a
   * default gateway.
   */
  readonly reserveGateway: boolean;
  /**
   * Prefixes ("10.0.0.0/24", or a plain address for a host route) a subnet taken from the
   * default pools must not overlap, either family mixed; the daemon passes the host's routes
   * so a new network never shadows the host's uplink. Explicit subnets are not checked
   * against these. Absent or empty: only other networks are avoided. Malformed entries are
   * ignored (the list comes from the kernel, not from users).
   */
  readonly avoid?: readonly string[];
}

/**
 * One family's allocation: the {@link IpamData} drivers see plus the reserved auxiliary
 * addresses (name → address, empty when none). The extra field exists because
 * driverapi's IpamData has no aux addresses, yet a restore must re-reserve them.
 */
export interface IpamFamilyAllocation extends IpamData {
  readonly auxAddresses: Readonly<Record<string, string>>;
}

/** A network's allocation as made by {@link Ipam.allocateNetwork}; null = family disabled. */
export interface IpamNetworkAllocation {
  readonly ipv4: IpamFamilyAllocation | null;
  readonly ipv6: IpamFamilyAllocation | null;
}

/**
 * A stored allocation handed back to {@link Ipam.restoreNetwork}. `auxAddresses` may be
 * absent (a record written from plain IpamData), meaning no aux addresses.
 */
export interface IpamStoredAllocation {
  readonly ipv4: (IpamData & { readonly auxAddresses?: Readonly<Record<string, string>> }) | null;
  readonly ipv6: (IpamData & { readonly auxAddresses?: Readonly<Record<string, string>> }) | null;
}

/** A default address pool (Docker's `default-address-pools` entry). */
export interface IpamPool {
  /** IPv4 CIDR the subnets are carved from, e.g. "172.17.0.0/16". */
  readonly base: string;
  /** Prefix length of each carved subnet, e.g. 16 or 20; at least the base's length. */
  readonly size: number;
}

/** Options of {@link Ipam}; every field has a default. */
export interface IpamOptions {
  /**
   * Docker's default-address-pools, tried in order. Default: 172.17.0.0/16 … 172.31.0.0/16
   * (size 16 each), then 192.168.0.0/16 size 20 (Docker's defaults). An empty list means
   * every IPv4 network needs an explicit subnet.
   */
  readonly defaultPools4?: readonly IpamPool[];
  /**
   * IPv6 prefix (a /48, or any prefix of /64 or shorter) /64s are carved from for IPv6
   * networks without a subnet. Default: a random fdXX:XXXX:XXXX::/48 (RFC 4193) generated
   * once, in the constructor. A daemon that wants the same prefix after a restart stores
   * {@link Ipam.ula48} and passes it back here.
   */
  readonly ula48?: string;
  /** Source of randomness in [0, 1) for the ULA global id; default: crypto.getRandomValues. */
  readonly random?: () => number;
}

/** Counters of one family of a network, see {@link Ipam.usage}. */
export interface IpamFamilyUsage<N extends number | bigint> {
  /** Endpoint addresses currently assigned (dynamic and static; not gateway nor aux). */
  readonly allocated: N;
  /**
   * Addresses an endpoint could hold: the subnet's usable addresses (no network, broadcast
   * or anycast address) minus the gateway and aux addresses.
   */
  readonly total: N;
}

/** Result of {@link Ipam.usage}; null = family disabled. */
export interface IpamUsage {
  readonly ipv4: IpamFamilyUsage<number> | null;
  readonly ipv6: IpamFamilyUsage<bigint> | null;
}
