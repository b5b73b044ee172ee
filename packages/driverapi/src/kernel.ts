/**
 * The Kernel interface: the only way netd code and drivers change the kernel.
 *
 * `@netd/kernel` implements it for Linux (rtnetlink and libnftables in process) and ships an
 * in-memory recording fake for unit tests (`@netd/kernel-fake`). Drivers receive one in
 * their {@link DriverContext}; they never spawn `ip` or `nft`.
 *
 * Every call names its network namespace explicitly ({@link NetnsPath}): a Node process
 * cannot switch namespace per call, so there is no "current namespace".
 *
 * Conventions for every method:
 * - arguments are validated before any syscall (interface names, addresses, prefixes,
 *   namespace paths); a bad value throws a NetdError with category `invalid`;
 * - a kernel refusal throws a NetdError with category `kernel`, code `KERNEL_ERROR` (or a
 *   more precise one), and `details` holding `op`, the object names, `errno` and the
 *   kernel's extended-ack message;
 * - deleting something that is already gone succeeds (teardown is idempotent).
 */
import type { NftText } from "./nft-text.js";

/**
 * Path of a network namespace: `/run/netns/NAME` (as `ip netns` makes them),
 * `/proc/PID/ns/net`, or `/proc/self/ns/net` for the daemon's own namespace.
 */
export type NetnsPath = string;

/** An address with its prefix length, e.g. `10.0.0.2/24` or `fd00::2/64`. */
export type Cidr = string;

/** Address family: 4 or 6. */
export type IpFamily = 4 | 6;

/** A link as read back from the kernel. */
export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  /** `IFLA_INFO_KIND`, e.g. "bridge", "veth", "ipvlan"; "" for devices without one (lo). */
  readonly kind: string;
  readonly up: boolean;
  readonly mtu: number;
  /** Lower-case colon-separated MAC; "" for devices without one. */
  readonly mac: string;
  /** Name of the master device (bridge), or null. */
  readonly master: string | null;
  /** Index of the parent link (`IFLA_LINK`) for veth/vlan/ipvlan/macvlan, or null. */
  readonly parentIndex: number | null;
}

/** Attributes that can be set on an existing link in one request. Absent means unchanged. */
export interface LinkChanges {
  readonly up?: boolean;
  /** Name of a bridge to enslave to, or null to release from its master. */
  readonly master?: string | null;
  readonly mtu?: number;
  readonly mac?: string;
  /** A new name (the link must be down in most kernels). */
  readonly name?: string;
  /** Bridge-port hairpin mode (only for bridge ports). */
  readonly hairpin?: boolean;
}

/** Options for a new bridge. */
export interface BridgeSpec {
  readonly name: string;
  readonly mtu?: number;
  readonly mac?: string;
  /** Bring the bridge up after creating it. Default false. */
  readonly up?: boolean;
}

/**
 * A veth pair whose peer is created directly inside `peer.netns` (IFLA_NET_NS_FD in the
 * peer attributes): ~1 ms, against ~20 ms for moving it afterwards.
 */
export interface VethSpec {
  readonly name: string;
  readonly mtu?: number;
  readonly mac?: string;
  /** Enslave the host end to this bridge and bring it up, in the same request batch. */
  readonly master?: string;
  readonly up?: boolean;
  readonly peer: {
    readonly name: string;
    readonly netns: NetnsPath;
    readonly mac?: string;
    readonly mtu?: number;
  };
}

/** Options for a new dummy link. */
export interface DummySpec {
  readonly name: string;
  readonly mtu?: number;
  /** Bring the link up after creating it. Default false. */
  readonly up?: boolean;
}

/** ipvlan, macvlan or vlan child of `parent` (a link in `netns` passed to the call). */
export interface ChildLinkSpec {
  readonly name: string;
  readonly parent: string;
  readonly kind: "ipvlan" | "macvlan" | "vlan";
  /** ipvlan: "l2" | "l3" | "l3s"; macvlan: "bridge" | "private" | "vepa" | "passthru". */
  readonly mode?: string;
  /** ipvlan only: "bridge" (the kernel's default), "private" or "vepa" (IFLA_IPVLAN_FLAGS). */
  readonly flag?: string;
  /** vlan only: the VLAN id (1–4094). */
  readonly vlanId?: number;
  readonly mtu?: number;
  readonly mac?: string;
  /** Create the link directly inside this namespace instead of the parent's. */
  readonly netns?: NetnsPath;
}

/** An address on a link. */
export interface AddressInfo {
  readonly link: string;
  readonly address: Cidr;
  readonly family: IpFamily;
}

/** A route; at least one of `via` and `dev` is given. */
export interface RouteSpec {
  /** A prefix such as "10.0.0.0/24", or "default". */
  readonly to: string;
  readonly family: IpFamily;
  readonly via?: string;
  readonly dev?: string;
  readonly metric?: number;
  /** Route table id; default main (254). */
  readonly table?: number;
}

/** Identifies one of netd's own nftables tables. Names must start with "netd". */
export interface NftTableRef {
  readonly family: "inet" | "ip" | "ip6";
  readonly name: string;
}

/** Adds or deletes elements of a set or map in one of netd's tables. */
export interface NftElementChange {
  readonly op: "add" | "delete";
  readonly table: NftTableRef;
  /** Set or map name. */
  readonly set: string;
  /** One element each, e.g. nft`${8080} : ${nftAddr("10.0.0.2")} . ${80}`. */
  readonly elements: readonly NftText[];
}

/** Which conntrack entries to delete. Every given field must match. */
export interface ConntrackFilter {
  readonly family: IpFamily;
  readonly protocol: "tcp" | "udp" | "sctp";
  /** Original destination address (the host address a client connected to). */
  readonly origDst?: string;
  readonly origDstPort?: number;
  /** Reply source address (the container address after DNAT). */
  readonly replySrc?: string;
}

/** Network namespaces, compatible with `ip netns` (bind mounts under /run/netns). */
export interface NetnsApi {
  /** Creates `/run/netns/NAME` with `lo` up; fails with a conflict if it exists. */
  create(name: string): Promise<NetnsPath>;
  /** Unmounts and removes `/run/netns/NAME` (or the given path); gone already is fine. Releases cached sockets. */
  delete(nameOrPath: string): Promise<void>;
  /** True if the path is a network namespace that can be opened. */
  exists(path: NetnsPath): Promise<boolean>;
  /**
   * Names of the namespaces under /run/netns, sorted; [] when the directory does not exist.
   * For restore's orphan sweep (namespaces netd created that its store no longer names).
   */
  list(): Promise<string[]>;
  /**
   * The namespace's identity (device and inode of its nsfs file, "dev:ino"): equal for two
   * paths naming the same namespace (/proc/self/ns/net, /proc/PID/ns/net, a /run/netns bind
   * mount). Fails with NETNS_NOT_FOUND when the path is not a namespace.
   */
  identity(path: NetnsPath): Promise<string>;
  /**
   * Forgets what the Kernel caches for a namespace it does not own (sockets), so netd does
   * not keep a container's namespace alive after its sandbox is deleted. The namespace
   * itself is untouched; an unknown path is fine.
   */
  release(path: NetnsPath): Promise<void>;
}

/** Links (network devices). */
export interface LinksApi {
  addBridge(netns: NetnsPath, spec: BridgeSpec): Promise<LinkInfo>;
  /** Creates both ends; returns the host end. */
  addVeth(netns: NetnsPath, spec: VethSpec): Promise<LinkInfo>;
  addChild(netns: NetnsPath, spec: ChildLinkSpec): Promise<LinkInfo>;
  /**
   * Creates a dummy link (a parent for ipvlan networks without one). Fails with code
   * `LINK_KIND_UNSUPPORTED` when the kernel has no dummy driver.
   */
  addDummy(netns: NetnsPath, spec: DummySpec): Promise<LinkInfo>;
  /** Changes attributes of `name` in one request. */
  set(netns: NetnsPath, name: string, changes: LinkChanges): Promise<void>;
  /** Deletes `name` (a veth takes its peer along); missing is fine. */
  delete(netns: NetnsPath, name: string): Promise<void>;
  /** The link called `name`, or null. */
  get(netns: NetnsPath, name: string): Promise<LinkInfo | null>;
  list(netns: NetnsPath): Promise<LinkInfo[]>;
}

/** IPv4 and IPv6 addresses. */
export interface AddressesApi {
  /** Adds `address` (with prefix) to `link`. `nodad` skips IPv6 duplicate-address detection. */
  add(netns: NetnsPath, link: string, address: Cidr, options?: { readonly nodad?: boolean }): Promise<void>;
  /** Missing is fine. */
  delete(netns: NetnsPath, link: string, address: Cidr): Promise<void>;
  /** Global-scope addresses, optionally of one link; link-local IPv6 addresses are omitted. */
  list(netns: NetnsPath, link?: string): Promise<AddressInfo[]>;
}

/** Routes in the main table unless `table` says otherwise. */
export interface RoutesApi {
  /** Fails with code `ROUTE_EXISTS` (category conflict) when an equal route exists. */
  add(netns: NetnsPath, route: RouteSpec): Promise<void>;
  /** Missing is fine. */
  delete(netns: NetnsPath, route: RouteSpec): Promise<void>;
  /** Unicast routes of the family, kernel-generated ones included. */
  list(netns: NetnsPath, family: IpFamily): Promise<RouteSpec[]>;
}

/** sysctls under /proc/sys, read and written from inside the namespace. */
export interface SysctlApi {
  /** `key` in dotted or slash form, e.g. "net.ipv4.ip_forward" or "net/ipv6/conf/all/forwarding". */
  get(netns: NetnsPath, key: string): Promise<string>;
  set(netns: NetnsPath, key: string, value: string): Promise<void>;
}

/**
 * nftables, restricted to netd's own tables: every method refuses a table whose name does
 * not start with "netd", and nothing else in the ruleset is read or changed.
 */
export interface NftApi {
  /**
   * Atomically replaces `table` with `body` (its chains, sets, maps and rules, as rendered
   * inside `table … { }`), creating it if missing. One transaction: on error nothing changes.
   */
  replaceTable(netns: NetnsPath, table: NftTableRef, body: NftText): Promise<void>;
  /** Deletes the table; missing is fine. */
  deleteTable(netns: NetnsPath, table: NftTableRef): Promise<void>;
  /**
   * Applies all element changes in one atomic transaction, in order. As in nft, deleting an
   * element that is not there fails the whole transaction (nothing changes): callers delete
   * only what their own state says is present. Adding an identical element is a no-op.
   */
  updateElements(netns: NetnsPath, changes: readonly NftElementChange[]): Promise<void>;
  /** The table as nft's JSON (`{ nftables: [...] }`), or null if it does not exist. */
  listTable(netns: NetnsPath, table: NftTableRef): Promise<unknown>;
  /**
   * Optional. The namespace's nftables ruleset generation: a number the kernel changes with
   * every committed nft transaction (anyone's: `nft flush ruleset` too). One cheap netlink
   * request, so a watcher can poll it and look closer only when it changed. Absent: the
   * Kernel cannot tell, and watchers check the tables themselves every time.
   */
  generation?(netns: NetnsPath): Promise<number>;
  /**
   * Optional. A counter that moves when an nft transaction not made through this Kernel was
   * committed in `netns` (and may move when the Kernel cannot tell whose a commit was): what a
   * watcher for other people's changes polls, so that netd's own updates, which change
   * {@link generation} with every attach, do not send it to list the tables. The first call
   * for a namespace starts the count at 0. Absent: watchers use {@link generation}.
   */
  foreignChanges?(netns: NetnsPath): Promise<number>;
}

/** Connection tracking. */
export interface ConntrackApi {
  /** Deletes matching entries; returns how many were deleted. */
  delete(netns: NetnsPath, filter: ConntrackFilter): Promise<number>;
}

/** Neighbour (ARP and NDP) entries. */
export interface NeighboursApi {
  /**
   * Deletes the entry for `address` on `link` (e.g. a departed container's MAC cached on a
   * bridge), so the next packet resolves the address afresh. Missing entry or link is fine.
   */
  delete(netns: NetnsPath, link: string, address: string): Promise<void>;
}

/** Everything netd and drivers may do to the kernel. */
export interface Kernel {
  readonly netns: NetnsApi;
  readonly links: LinksApi;
  readonly addresses: AddressesApi;
  readonly routes: RoutesApi;
  readonly sysctl: SysctlApi;
  readonly nft: NftApi;
  readonly conntrack: ConntrackApi;
  /** Optional: neighbour entries. Absent: stale entries are left to expire. */
  readonly neighbours?: NeighboursApi;
  /** Releases cached sockets and native resources. The Kernel must not be used afterwards. */
  close(): Promise<void>;
}
