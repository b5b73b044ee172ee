/**
 * The bridge driver's internal model, shared by its parts: `network/` and `endpoint/` (the
 * kernel devices), `firewall/` (netd's nftables table) and `publish/` + `proxy/` (port
 * publishing driven by gateway changes). Each part owns its own state; they talk through
 * the two interfaces at the end of this file.
 */
import type { DriverContext, DriverStateStore, GatewayChange, OperationalBinding, PortAllocator, Protocol } from "@netd/driverapi";

/** Per-family gateway mode (`com.docker.network.bridge.gateway_mode_ipv4/ipv6`, reference §4.8). */
export type GatewayMode = "nat" | "nat-unprotected" | "routed" | "isolated";

/** A bridge network's validated configuration, derived once from NetworkInfo and its options. */
export interface BridgeNetworkConfig {
  readonly id: string;
  readonly name: string;
  /** Linux bridge device name: option `com.docker.network.bridge.name` or `br-<id[:12]>`. */
  readonly bridgeName: string;
  readonly internal: boolean;
  /** `enable_icc`, default true. */
  readonly icc: boolean;
  /** `enable_ip_masquerade`, default true. */
  readonly masquerade: boolean;
  readonly mode4: GatewayMode;
  readonly mode6: GatewayMode;
  /** `inhibit_ipv4`: no IPv4 address on the bridge. */
  readonly inhibitIpv4: boolean;
  /** `com.docker.network.driver.mtu`; null = kernel default. */
  readonly mtu: number | null;
  /** `com.docker.network.host_ipv4/ipv6`: SNAT source instead of masquerade; null = masquerade. */
  readonly hostIpv4: string | null;
  readonly hostIpv6: string | null;
  /** `com.docker.network.bridge.host_binding_ipv4`: default host IP for bindings; null = all addresses. */
  readonly defaultBindingIp: string | null;
  /** `com.docker.network.container_iface_prefix`, default "eth". */
  readonly ifPrefix: string;
  /** Subnets (CIDR) and gateway addresses (no prefix); null when the family is off. */
  readonly subnet4: string | null;
  readonly subnet6: string | null;
  readonly gateway4: string | null;
  readonly gateway6: string | null;
}

/** A joined bridge endpoint. */
export interface BridgeEndpoint {
  readonly id: string;
  readonly networkId: string;
  readonly sandboxId: string;
  /** The sandbox's namespace path. */
  readonly netns: string;
  /** Host end of the veth (in the host namespace, enslaved to the bridge). */
  readonly hostIfname: string;
  /** Interface name inside the sandbox. */
  readonly ifname: string;
  /** Addresses without prefix; null when the endpoint has none in that family. */
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly mac: string;
}

/**
 * One DNAT mapping of a published port, for one family: host address (or any local address)
 * and port → container address and port. Rendered as a `hostport4/6` or `anyport4/6` element.
 */
export interface PortMapping {
  readonly family: 4 | 6;
  readonly protocol: Protocol;
  /** null = every local address of the family (anyport); otherwise one address (hostport). */
  readonly hostIp: string | null;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
}

/**
 * A filter opening: new flows from outside the bridge may reach this container port
 * (`open4/6` element). NAT mappings need one unless the family is nat-unprotected; routed
 * ports are openings without a mapping.
 */
export interface PortOpening {
  readonly family: 4 | 6;
  readonly protocol: Protocol;
  readonly containerIp: string;
  readonly containerPort: number;
}

/** What the publisher wants present in nftables for one endpoint. */
export interface EndpointPorts {
  readonly mappings: readonly PortMapping[];
  readonly openings: readonly PortOpening[];
}

/**
 * netd's nftables table for the bridge driver (nftables-layout.md). Owned by `firewall/`.
 * Network- and endpoint-level state (chains, dispatch elements, guards) is kept by the
 * firewall itself from the calls below; ports come from the publisher.
 */
export interface BridgeFirewall {
  /** Adds the network's chains and dispatch elements (one transaction). Called by createNetwork. */
  addNetwork(network: BridgeNetworkConfig): Promise<void>;
  /** Removes them; called by deleteNetwork after every endpoint left. Idempotent. */
  removeNetwork(network: BridgeNetworkConfig): Promise<void>;
  /** Adds the endpoint's direct-access guard elements (nat-mode families). Called at join. */
  addEndpoint(network: BridgeNetworkConfig, endpoint: BridgeEndpoint): Promise<void>;
  /** Removes the guards and any ports still recorded for the endpoint. Called at leave. Idempotent. */
  removeEndpoint(network: BridgeNetworkConfig, endpoint: BridgeEndpoint): Promise<void>;
  /**
   * Makes the endpoint's mappings and openings exactly `ports` in ONE transaction (the diff
   * against what the firewall recorded for it; openings shared by several mappings are kept
   * while any needs them). On error nothing changed and the recorded state is unchanged.
   */
  setEndpointPorts(endpointId: string, ports: EndpointPorts): Promise<void>;
  /** Renders the whole table from the recorded state and applies it atomically (startup, reconcile). */
  reconcile(): Promise<void>;
}

/** Port publishing for the bridge's endpoints. Owned by `publish/` (+ `proxy/`). */
export interface Publisher {
  /**
   * Called by the driver's onGatewayChange in each phase, with the bridge endpoints of the
   * sandbox (a leaving endpoint included: it leaves right after). In `release` it removes the
   * bindings the new state no longer needs; in `acquire` it adds the new ones. A failure in
   * `acquire` restores exactly what was there before the call, then throws.
   */
  onGatewayChange(store: DriverStateStore, change: GatewayChange, endpoints: readonly BridgeEndpoint[]): Promise<void>;
  /** Releases every binding of the endpoint (leave). Idempotent; best effort, throws an aggregate. */
  releaseEndpoint(store: DriverStateStore, endpointId: string): Promise<void>;
  /** The bindings in effect for the endpoint, for inspect. */
  bindings(endpointId: string): readonly OperationalBinding[];
  /** Re-creates stored bindings with their exact host ports after a restart. */
  restore(store: DriverStateStore, endpoints: readonly BridgeEndpoint[]): Promise<void>;
  /** Stops proxies and closes sockets (daemon shutdown). Kernel state stays. */
  close(): Promise<void>;
}

/**
 * The parts of the driver context that stay the same on every call (kernel, log, ports);
 * `ports` is always present because the bridge declares `publishesPorts`. Per-call state
 * (`ctx.state`) is passed to each publisher call as `store`.
 */
export type PublishContext = Omit<DriverContext, "state" | "ports"> & { readonly ports: PortAllocator };

/** What the publisher needs from the rest of the driver. */
export interface PublisherDeps {
  readonly ctx: PublishContext;
  readonly firewall: BridgeFirewall;
  /** The network of an endpoint. */
  network(networkId: string): BridgeNetworkConfig;
}
