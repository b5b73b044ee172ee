/**
 * The Driver contract, version 2: a plain object with a name, an apiVersion, declared
 * capabilities, four required hooks and optional ones. An absent optional hook means
 * "nothing to do" (or the documented core fallback), never a stub.
 *
 * Order of calls, per object:
 *   createNetwork → (createEndpoint? → join → onGatewayChange* → leave → deleteEndpoint?)* → deleteNetwork
 * and per daemon: restore (start) … reconcile* … shutdown (stop); cleanup only from `netd cleanup`.
 *
 * Concurrency: per sandbox, core serialises join, leave and gateway changes; per daemon it
 * serialises network creation and deletion. Hooks for different sandboxes run concurrently,
 * so a driver keeps per-call data in locals, not in fields shared between calls.
 *
 * Crash consistency: core writes every operation's intent before the first hook runs and
 * commits the operation's records, together with everything the driver wrote to
 * `ctx.state` during it, in one atomic store batch. If the daemon dies in between, the
 * restarted daemon undoes an interrupted create/join by calling `deleteNetwork` /
 * `leave` / `deleteEndpoint` with the same infos, and finishes an interrupted
 * delete/leave by running it again. Those hooks must therefore work from the infos alone,
 * for an object whose creation stopped at ANY point and whose `ctx.state` writes were
 * discarded: derive kernel object names from ids (or from options), and treat "already
 * gone" as success. See docs/writing-a-driver.md.
 */
import type { GatewayChange } from "./events.js";
import type { Cidr, Kernel, NetnsPath } from "./kernel.js";
import type { ExposedPort, HostPortReserver, OperationalBinding, PortAllocator, PortBinding } from "./ports.js";

/** Version of this contract. Core refuses drivers built for another version. */
export const API_VERSION = 2;

/** What a driver can do. Core reads these and never probes with try/catch. */
export interface DriverCapabilities {
  /** Where the driver's state lives. Only "local" exists. */
  readonly scope: "local";
  /**
   * true: core reserves a gateway address from IPAM for each family of a network (bridge).
   * false: a gateway is reserved only when the user gave one (ipvlan, macvlan).
   */
  readonly needsGatewayAddress: boolean;
  /**
   * true: the driver publishes a sandbox's `portBindings`; its context carries `ports` (and
   * `portReserver` when the daemon binds sockets). false: the context has neither, and when a
   * sandbox with port bindings joins one of the driver's networks core logs a warning and
   * reports it in the join's `warnings` ("… does not publish ports").
   */
  readonly publishesPorts: boolean;
  /** Core refuses to create a network with a family the driver does not support. */
  readonly supportsIPv4: boolean;
  readonly supportsIPv6: boolean;
}

/** Structured logging handed to drivers; `fields` are JSON values. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A small key-value store scoped to one driver, for state the driver must find again after a
 * restart. Values are JSON.
 *
 * Writes are part of the operation whose hook makes them: they are staged, read back by later
 * `get`/`list` calls of the same operation, and become durable atomically with core's records
 * when the operation commits; if the operation fails (and is rolled back) or the daemon dies
 * first, they are discarded. Writes in `restore`, `reconcile` and `cleanup` are committed when
 * that hook returns. `endpointInfo` and `shutdown` get a read-only view (writes throw).
 */
export interface DriverStateStore {
  /** The value, or undefined when missing. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  /** Missing is fine. */
  delete(key: string): Promise<void>;
  /** Every entry whose key starts with `prefix` ("" for all), in no particular order. */
  list<T = unknown>(prefix: string): Promise<Array<{ key: string; value: T }>>;
}

/**
 * Everything a hook may use. Core builds one per hook call: `kernel`, `hostNetns`, `log`,
 * `ports` and `portReserver` are the same objects on every call (a driver may keep them),
 * `state` belongs to the calling operation and must not be used after the hook returned.
 */
export interface DriverContext {
  readonly kernel: Kernel;
  /** The namespace netd treats as the host (where bridges live and ports are published). */
  readonly hostNetns: NetnsPath;
  /** Host-port bookkeeping; present only when `capabilities.publishesPorts`. */
  readonly ports?: PortAllocator;
  /**
   * Binds real sockets for published ports; present only when `capabilities.publishesPorts`
   * and the daemon reserves ports against other processes.
   */
  readonly portReserver?: HostPortReserver;
  readonly log: Logger;
  readonly state: DriverStateStore;
}

/** A network's allocation for one family, as IPAM made it. */
export interface IpamData {
  /** The subnet, e.g. "10.0.0.0/24". */
  readonly subnet: Cidr;
  /** The gateway address without prefix, or null when none was reserved. */
  readonly gateway: string | null;
  /** The sub-range endpoints are allocated from, or null for the whole subnet. */
  readonly ipRange: Cidr | null;
  /** Addresses reserved by name (Docker's AuxiliaryAddresses); absent or empty when none. */
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

/** A network as drivers see it. */
export interface NetworkInfo {
  /** 64 hex characters; stable for the network's life, across restarts. */
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  /** null when the family is disabled. */
  readonly ipv4: IpamData | null;
  readonly ipv6: IpamData | null;
  /** Driver options (`-o key=value`); validated by the driver in createNetwork. Empty: none. */
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** An endpoint as drivers see it. */
export interface EndpointInfo {
  /** 64 hex characters; stable for the endpoint's life, across restarts. */
  readonly id: string;
  readonly networkId: string;
  /** Address with the subnet's prefix length, or null when the family is not used. */
  readonly ipv4: Cidr | null;
  readonly ipv6: Cidr | null;
  /** The MAC the user asked for (or `createEndpoint` chose), or null to let the driver choose. */
  readonly mac: string | null;
  /**
   * Endpoint driver options (`--driver-opt`). Well-known: `com.docker.network.endpoint.ifname`,
   * the interface name inside the sandbox. Empty: none.
   */
  readonly options: Readonly<Record<string, string>>;
}

/** A sandbox (one container's network namespace) as drivers see it. */
export interface SandboxInfo {
  /** 64 hex characters; stable for the sandbox's life, across restarts. */
  readonly id: string;
  readonly name: string;
  readonly netns: NetnsPath;
  /**
   * Requested bindings; empty when nothing is published, and always empty for drivers that
   * do not declare `publishesPorts`.
   */
  readonly portBindings: readonly PortBinding[];
  readonly exposedPorts: readonly ExposedPort[];
}

/** What a driver reports after creating an endpoint. */
export interface CreateEndpointResult {
  /** The MAC the driver chose; core stores it and passes it back at join and after restarts. */
  readonly mac?: string;
}

/**
 * What a driver reports at join: the interface and whether the endpoint can be a gateway.
 * Core derives gateway eligibility from it (reference §3.1) and never installs routes itself:
 * the driver installs its default routes in `onGatewayChange`, while its endpoint is selected.
 */
export interface JoinResult {
  /** Name of the interface inside the sandbox. */
  readonly interfaceName: string;
  /** IPv4 next hop of the endpoint's default route, or null (no next hop). */
  readonly gateway4: string | null;
  /** IPv6 next hop, or null. Discarded by core when the endpoint has no IPv6 address. */
  readonly gateway6: string | null;
  /**
   * The endpoint provides external connectivity for the family even without a next hop
   * (ipvlan L3's device route, ipvlan L2 without a gateway). Absent: false.
   */
  readonly forceGateway4?: boolean;
  readonly forceGateway6?: boolean;
}

/** Operational data for inspect. */
export interface EndpointOperInfo {
  /** The MAC in effect; absent: core shows the stored one. */
  readonly mac?: string;
  /** Bindings in effect for this endpoint; empty when it publishes nothing. */
  readonly portBindings: readonly OperationalBinding[];
}

/** What core hands to {@link Driver.restore}: this driver's committed objects. */
export interface DriverRestoreSnapshot {
  readonly networks: readonly NetworkInfo[];
  /** Every endpoint of those networks; `sandbox` null when it is not joined. */
  readonly endpoints: ReadonlyArray<{ readonly endpoint: EndpointInfo; readonly sandbox: SandboxInfo | null }>;
}

/** A driver. See the module comment for call order, concurrency and crash consistency. */
export interface Driver {
  /** The name users pass as `-d`, e.g. "bridge": `[a-z0-9][a-z0-9_.-]{0,63}`, unique in a daemon. */
  readonly name: string;
  /** The {@link API_VERSION} the driver was built against. */
  readonly apiVersion: number;
  readonly capabilities: DriverCapabilities;

  /**
   * Called once per network, after IPAM allocated its subnets and gateways, before the
   * network is committed. Validate every option first and throw a NetdError (category
   * `invalid`) before touching the kernel; on any failure leave nothing behind.
   */
  createNetwork(ctx: DriverContext, network: NetworkInfo): Promise<void>;
  /**
   * Called when a network without endpoints is deleted, before IPAM releases its pools; also
   * after a crash for a network whose createNetwork was interrupted (see the module comment).
   * Idempotent: remove everything the driver made for the network; a throw keeps the network.
   */
  deleteNetwork(ctx: DriverContext, network: NetworkInfo): Promise<void>;
  /**
   * Optional. Called when an endpoint is created on the network, before it joins a sandbox:
   * validate endpoint options, choose a MAC. Absent: nothing to validate or choose.
   */
  createEndpoint?(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo): Promise<CreateEndpointResult | void>;
  /**
   * Optional. Called after `leave`, or for an endpoint that never joined, and after a crash
   * for one whose creation was interrupted. Idempotent. Absent: nothing to delete.
   */
  deleteEndpoint?(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo): Promise<void>;
  /**
   * Called once per attachment: put the endpoint's interface into `sandbox.netns` with its
   * addresses and report it. No default route here: that belongs to `onGatewayChange`, which
   * core calls right after (also when this endpoint is not the gateway). On failure undo
   * everything done so far and throw.
   */
  join(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<JoinResult>;
  /**
   * Called once when the endpoint leaves, after the driver received the gateway change
   * computed without it; also when a join fails after `join` returned (rollback), and after a
   * crash for a join that was interrupted at any point. Release everything the endpoint still
   * holds (interface, routes, ports); idempotent. A throw is reported but the endpoint is
   * detached anyway.
   */
  leave(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<void>;

  /**
   * Optional. Told what happened to a sandbox's gateways, after every join and leave where
   * the driver has an endpoint, and once per sandbox after `restore`. Delivered in two phases
   * across all drivers (every driver `release`, then every driver `acquire`); see
   * {@link GatewayChange}. Core does not repeat an event identical to the last one it
   * delivered to this driver for the sandbox, but a driver must still treat one as a no-op.
   * A throw during a join rolls the join back; during a leave it is reported. Absent: the
   * driver ignores gateway changes.
   */
  onGatewayChange?(ctx: DriverContext, change: GatewayChange): Promise<void>;
  /** Optional. Operational data for inspect. Absent: no bindings and the stored MAC. */
  endpointInfo?(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo): Promise<EndpointOperInfo>;
  /**
   * Optional. Called once at daemon start, before interrupted operations are undone or
   * finished and before the gateway-change replay, with the driver's committed networks and
   * endpoints. Reload applied state; re-create what is missing in the kernel; remove what
   * the driver's own state names but the snapshot no longer has. Absent: nothing to restore.
   */
  restore?(ctx: DriverContext, snapshot: DriverRestoreSnapshot): Promise<void>;
  /**
   * Optional. Makes the kernel match the driver's state again after someone else changed what
   * the driver owns (e.g. `nft flush ruleset` removed its tables). Called by core when it
   * detects such a change in the host namespace, and periodically; must be cheap when nothing
   * changed. Returns true when something had to be repaired. Absent: nothing to repair.
   */
  reconcile?(ctx: DriverContext): Promise<boolean>;
  /**
   * Optional. Daemon shutdown: stop what the driver runs in the daemon's process (proxies,
   * sockets, timers). Kernel state stays, so containers keep their networking. Absent: nothing.
   */
  shutdown?(ctx: DriverContext): Promise<void>;
  /**
   * Optional. `netd cleanup`, after core deleted every sandbox and network: remove whatever the
   * driver still owns in the host namespace regardless of state (its nft tables, leftover links
   * carrying its names). Idempotent. Absent: the driver owns nothing beyond its networks.
   */
  cleanup?(ctx: DriverContext): Promise<void>;
}

/**
 * What a driver package's default export may be, so the daemon can load it from its config
 * file: the Driver itself, or a factory called once at daemon start with the entry's
 * `options` (`{}` when none). Without a default export the daemon takes a named export
 * `driver` (a Driver or a factory). The daemon then checks `apiVersion === API_VERSION` and
 * that the name is not taken, and refuses to start otherwise. See docs/writing-a-driver.md.
 */
export type DriverFactory = (options: Readonly<Record<string, unknown>>) => Driver | Promise<Driver>;
