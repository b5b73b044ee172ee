/**
 * The Driver contract: a plain object with a name, an apiVersion, declared capabilities,
 * six required hooks and optional ones. An absent optional hook means "nothing to do",
 * never a stub.
 *
 * Order of calls, per object:
 *   createNetwork → (createEndpoint → join → onGatewayChange* → leave → deleteEndpoint)* → deleteNetwork
 * Per sandbox, core serialises join and leave; hooks for different sandboxes may run
 * concurrently, so a driver must not keep per-call state outside its own maps.
 */
import type { GatewayChange } from "./events.js";
import type { Cidr, Kernel, NetnsPath, RouteSpec } from "./kernel.js";
import type { ExposedPort, HostPortReserver, OperationalBinding, PortAllocator, PortBinding } from "./ports.js";

/** Version of this contract. Core refuses drivers with another major. */
export const API_VERSION = 1;

/** What a driver can do; core reads these and never probes with try/catch. */
export interface DriverCapabilities {
  /** Where the driver's state lives. Only "local" exists today. */
  readonly scope: "local";
  /**
   * Core reserves a gateway address from IPAM for each family of a network (bridge). When
   * false, a gateway is reserved only if the user asked for one (ipvlan).
   */
  readonly needsGatewayAddress: boolean;
  /** The driver may create host-port bindings from a sandbox's `portBindings`. */
  readonly publishesPorts: boolean;
  readonly supportsIPv4: boolean;
  readonly supportsIPv6: boolean;
}

/** Structured logging handed to drivers. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A small key-value store scoped to one driver, persisted by the daemon, for state the
 * driver must find again after a restart (e.g. applied port bindings). Values are JSON.
 */
export interface DriverStateStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  /** Missing is fine. */
  delete(key: string): Promise<void>;
  /** All entries whose key starts with `prefix`. */
  list<T = unknown>(prefix: string): Promise<Array<{ key: string; value: T }>>;
}

/** Everything a hook may use. The same object is passed to every hook of a driver. */
export interface DriverContext {
  readonly kernel: Kernel;
  /** The namespace netd treats as the host (where bridges and published ports live). */
  readonly hostNetns: NetnsPath;
  readonly ports: PortAllocator;
  /** Binds real sockets for published ports; absent when the daemon runs without it. */
  readonly portReserver?: HostPortReserver;
  readonly log: Logger;
  readonly state: DriverStateStore;
  /** Daemon settings a driver may honour. */
  readonly settings: { readonly userlandProxy: boolean };
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
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  /** null when the family is disabled. */
  readonly ipv4: IpamData | null;
  readonly ipv6: IpamData | null;
  /** Driver options (`-o key=value`); validated by the driver in createNetwork. */
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** An endpoint as drivers see it. */
export interface EndpointInfo {
  readonly id: string;
  readonly networkId: string;
  /** Address with the subnet's prefix length, or null when the family is not used. */
  readonly ipv4: Cidr | null;
  readonly ipv6: Cidr | null;
  /** The MAC the user asked for, or null to let the driver choose. */
  readonly mac: string | null;
  /** Endpoint driver options (`--driver-opt`). */
  readonly options: Readonly<Record<string, string>>;
}

/** A sandbox (one container's network namespace) as drivers see it. */
export interface SandboxInfo {
  readonly id: string;
  readonly name: string;
  readonly netns: NetnsPath;
  /** Requested bindings; empty when nothing is published. */
  readonly portBindings: readonly PortBinding[];
  readonly exposedPorts: readonly ExposedPort[];
}

/** What a driver reports after creating an endpoint. */
export interface CreateEndpointResult {
  /** The MAC the driver assigned, if it chose one. */
  readonly mac?: string;
}

/** What a driver reports at join; core derives gateway eligibility from it (reference §3.1). */
export interface JoinResult {
  /** Name of the interface inside the sandbox. */
  readonly interfaceName: string;
  /** IPv4 gateway address, or null. */
  readonly gateway4: string | null;
  /** IPv6 gateway address, or null (discarded by core when the endpoint has no IPv6 address). */
  readonly gateway6: string | null;
  /** Count as having external connectivity for the family even without a gateway (ipvlan l3). */
  readonly forceGateway4?: boolean;
  readonly forceGateway6?: boolean;
  /** Extra routes the driver installed; a default route counts as a gateway. */
  readonly staticRoutes?: readonly RouteSpec[];
}

/** Operational data for inspect. */
export interface EndpointOperInfo {
  readonly mac?: string;
  readonly portBindings: readonly OperationalBinding[];
}

/** A driver. See the module comment for the call order. */
export interface Driver {
  /** The name users pass as `-d`, e.g. "bridge". Lower-case letters, digits, '-', '_', '.'. */
  readonly name: string;
  /** The {@link API_VERSION} the driver was built against. */
  readonly apiVersion: number;
  readonly capabilities: DriverCapabilities;

  /**
   * Called once when a network is created, after IPAM allocated its subnets and gateways
   * and before the network is stored. Validate every option first and throw a NetdError
   * (category `invalid`) before touching the kernel; on any failure leave nothing behind.
   */
  createNetwork(ctx: DriverContext, network: NetworkInfo): Promise<void>;
  /**
   * Called when a network without endpoints is deleted, after IPAM released its pools.
   * Best effort and idempotent: remove everything the driver made for the network.
   */
  deleteNetwork(ctx: DriverContext, network: NetworkInfo): Promise<void>;
  /** Called when an endpoint is created on the network, before it joins a sandbox. */
  createEndpoint(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo): Promise<CreateEndpointResult | void>;
  /** Called after `leave` (or for an endpoint that never joined); idempotent. */
  deleteEndpoint(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo): Promise<void>;
  /**
   * Called once per attachment: put the endpoint's interface into `sandbox.netns` with its
   * addresses. Do not install a default route here: that belongs to the gateway-change
   * event. On failure undo everything done so far and throw.
   */
  join(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<JoinResult>;
  /**
   * Called once when the endpoint leaves, after the driver received the gateway change
   * computed without it. Release everything the endpoint still holds; idempotent.
   */
  leave(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<void>;

  /**
   * Called in two phases (all drivers `release`, then all drivers `acquire`) after every
   * join and leave in a sandbox where the driver has an endpoint, and on restore. Absent:
   * the driver does nothing on gateway changes. A throw during a join rolls the join back.
   */
  onGatewayChange?(ctx: DriverContext, change: GatewayChange): Promise<void>;
  /** Operational data for inspect; absent means no bindings and the stored MAC. */
  endpointInfo?(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo): Promise<EndpointOperInfo>;
  /**
   * Called once at daemon start, before the gateway-change replay, with the networks and
   * joined endpoints of this driver that the store holds. Reload applied state; re-create
   * what is missing in the kernel. Absent: nothing to restore.
   */
  restore?(ctx: DriverContext, snapshot: DriverRestoreSnapshot): Promise<void>;
}

/** What core hands to {@link Driver.restore}. */
export interface DriverRestoreSnapshot {
  readonly networks: readonly NetworkInfo[];
  readonly endpoints: ReadonlyArray<{ readonly endpoint: EndpointInfo; readonly sandbox: SandboxInfo | null }>;
}
