/**
 * The public entry of libnet-core. One Controller per daemon: it owns networks, endpoints
 * and sandboxes, IPAM and the driver registry, and it is the only caller of driver hooks.
 *
 * Concurrency: joins and leaves are serialised per sandbox (different sandboxes proceed in
 * parallel); network and endpoint creation and deletion are serialised per network, and
 * network creation globally (names are unique).
 */
import type { Driver, DriverContext, DriverStateStore, EndpointOperInfo, HostPortReserver, Kernel, Logger, NetnsPath, PortAllocator } from "@netd/driverapi";
import { createPortAllocator } from "@netd/portallocator";
import type { Core, CoreState } from "./core.js";
import { networkOf, toEndpointInfo, toNetworkInfo } from "./core.js";
import { createEndpoint } from "./endpoint/create-endpoint.js";
import type { EndpointConfig } from "./endpoint/create-endpoint.js";
import { deleteEndpoint } from "./endpoint/delete-endpoint.js";
import { coreError } from "./errors.js";
import { lookup } from "./ids.js";
import { Ipam } from "./ipam/index.js";
import type { IpamOptions } from "./ipam/index.js";
import type { EndpointRecord, NetworkRecord, SandboxRecord } from "./model.js";
import { createNetwork } from "./network/create-network.js";
import type { CreateNetworkRequest } from "./network/create-network.js";
import { deleteNetwork } from "./network/delete-network.js";
import { DriverRegistry } from "./registry.js";
import { restore } from "./restore.js";
import { createSandbox } from "./sandbox/create-sandbox.js";
import type { CreateSandboxRequest } from "./sandbox/create-sandbox.js";
import { deleteSandbox } from "./sandbox/delete-sandbox.js";
import { join } from "./sandbox/join.js";
import { leave } from "./sandbox/leave.js";
import type { LeaveResult } from "./sandbox/leave.js";
import { KeyedSerializer } from "./serial.js";
import type { Store } from "./store/store.js";

export interface ControllerOptions {
  readonly kernel: Kernel;
  readonly store: Store;
  readonly drivers: readonly Driver[];
  /** Host-port bookkeeping handed to drivers; default: a new allocator over the kernel's range. */
  readonly ports?: PortAllocator;
  readonly portReserver?: HostPortReserver;
  /** The namespace treated as the host; default "/proc/self/ns/net". */
  readonly hostNetns?: NetnsPath;
  readonly log?: Logger;
  readonly ipam?: IpamOptions;
  /** Prefix of namespaces created for sandboxes; default "netd-". */
  readonly netnsPrefix?: string;
  readonly userlandProxy?: boolean;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export class Controller {
  private readonly core: Core;
  private readonly sandboxLock = new KeyedSerializer();
  private readonly networkLock = new KeyedSerializer();

  private constructor(core: Core) {
    this.core = core;
  }

  /**
   * Registers the drivers, loads the store and restores: IPAM, vanished namespaces,
   * drivers' `restore`, then a gateway-change replay per sandbox.
   */
  static async open(options: ControllerOptions): Promise<Controller> {
    const registry = new DriverRegistry();
    for (const d of options.drivers) registry.register(d);
    const log = options.log ?? silent;
    const state: CoreState = { networks: new Map(), endpoints: new Map(), sandboxes: new Map(), deleting: new Set(), delivered: new Map() };
    const contexts = new Map<string, DriverContext>();
    const hostNetns = options.hostNetns ?? "/proc/self/ns/net";
    // The ULA /48 that automatic IPv6 subnets come from must stay the same across restarts.
    const storedUla = await options.store.get<string>("meta", "ula48");
    const ipam = new Ipam({ ...options.ipam, ula48: options.ipam?.ula48 ?? storedUla });
    if (storedUla === undefined) await options.store.apply([{ op: "put", kind: "meta", id: "ula48", value: ipam.ula48 }]);
    const ports = options.ports ?? createPortAllocator();
    const core: Core = {
      state,
      store: options.store,
      ipam,
      registry,
      kernel: options.kernel,
      hostNetns,
      log,
      netnsPrefix: options.netnsPrefix ?? "netd-",
      contextFor(driver) {
        let ctx = contexts.get(driver.name);
        if (!ctx) {
          ctx = {
            kernel: options.kernel,
            hostNetns,
            ports,
            portReserver: options.portReserver,
            log,
            state: driverState(options.store, driver.name),
            settings: { userlandProxy: options.userlandProxy ?? true },
          };
          contexts.set(driver.name, ctx);
        }
        return ctx;
      },
    };
    await restore(core);
    return new Controller(core);
  }

  /** Registered driver names. */
  drivers(): string[] {
    return this.core.registry.names();
  }

  createNetwork(req: CreateNetworkRequest): Promise<NetworkRecord> {
    return this.networkLock.run("*", () => createNetwork(this.core, req));
  }

  /** Deletes a network by id, name or unique id prefix; refuses while it has endpoints. */
  deleteNetwork(ref: string): Promise<void> {
    return this.networkLock.run("*", () => deleteNetwork(this.core, this.getNetwork(ref)));
  }

  getNetwork(ref: string): NetworkRecord {
    return lookup(this.core.state.networks.values(), ref, "network", "NETWORK_NOT_FOUND");
  }

  listNetworks(): NetworkRecord[] {
    return [...this.core.state.networks.values()];
  }

  createEndpoint(networkRef: string, config?: EndpointConfig): Promise<EndpointRecord> {
    return this.networkLock.run("*", () => createEndpoint(this.core, this.getNetwork(networkRef), config));
  }

  /** Deletes an endpoint; with `force` a joined endpoint leaves first. */
  async deleteEndpoint(endpointId: string, options: { force?: boolean } = {}): Promise<void> {
    const ep = this.getEndpoint(endpointId);
    if (ep.sandboxId !== null) {
      if (!options.force) {
        throw coreError("ENDPOINT_IN_USE", `endpoint ${ep.id.slice(0, 12)} is joined to a sandbox`, "disconnect it first or pass force");
      }
      await this.leave(ep.id, ep.sandboxId);
    }
    await this.networkLock.run("*", () => deleteEndpoint(this.core, this.getEndpoint(endpointId)));
  }

  getEndpoint(id: string): EndpointRecord {
    const ep = this.core.state.endpoints.get(id);
    if (!ep) throw coreError("ENDPOINT_NOT_FOUND", `endpoint '${id}' not found`, "list the network's endpoints to see what exists", { id });
    return ep;
  }

  /**
   * Operational data of an endpoint from its driver's `endpointInfo` (inspect: bindings in
   * effect, MAC). A driver without the hook reports no bindings and the stored MAC.
   */
  async endpointInfo(endpointId: string): Promise<EndpointOperInfo> {
    const ep = this.getEndpoint(endpointId);
    const network = networkOf(this.core, ep);
    const driver = this.core.registry.get(network.driver);
    if (!driver.endpointInfo) return { mac: ep.mac ?? undefined, portBindings: [] };
    return driver.endpointInfo(this.core.contextFor(driver), toNetworkInfo(network), toEndpointInfo(ep));
  }

  listEndpoints(filter: { networkId?: string; sandboxId?: string } = {}): EndpointRecord[] {
    return [...this.core.state.endpoints.values()].filter(
      (e) => (filter.networkId === undefined || e.networkId === filter.networkId) && (filter.sandboxId === undefined || e.sandboxId === filter.sandboxId),
    );
  }

  createSandbox(req?: CreateSandboxRequest): Promise<SandboxRecord> {
    return createSandbox(this.core, req);
  }

  getSandbox(ref: string): SandboxRecord {
    return lookup(this.core.state.sandboxes.values(), ref, "sandbox", "SANDBOX_NOT_FOUND");
  }

  listSandboxes(): SandboxRecord[] {
    return [...this.core.state.sandboxes.values()];
  }

  /** Leaves every network, deletes the endpoints and a namespace netd created; returns failures. */
  deleteSandbox(ref: string): Promise<unknown[]> {
    const sb = this.getSandbox(ref);
    return this.sandboxLock.run(sb.id, () => deleteSandbox(this.core, this.core.state.sandboxes.get(sb.id) ?? sb));
  }

  /** Joins an existing endpoint to a sandbox; all or nothing. */
  join(endpointId: string, sandboxRef: string): Promise<EndpointRecord> {
    const sb = this.getSandbox(sandboxRef);
    return this.sandboxLock.run(sb.id, () => join(this.core, this.getEndpoint(endpointId), this.getSandbox(sb.id)));
  }

  /** Detaches an endpoint; best effort, failures in the result. */
  leave(endpointId: string, sandboxRef: string): Promise<LeaveResult> {
    const sb = this.getSandbox(sandboxRef);
    return this.sandboxLock.run(sb.id, () => leave(this.core, this.getEndpoint(endpointId), this.getSandbox(sb.id)));
  }

  /** Docker's `network connect`: create an endpoint and join it; on failure neither remains. */
  async connect(networkRef: string, sandboxRef: string, config?: EndpointConfig): Promise<EndpointRecord> {
    const network = this.getNetwork(networkRef);
    const sb = this.getSandbox(sandboxRef);
    if (this.listEndpoints({ sandboxId: sb.id }).some((e) => e.networkId === network.id)) {
      throw coreError("ENDPOINT_EXISTS", `sandbox '${sb.name}' is already connected to network '${network.name}'`, "disconnect it first", { network: network.name, sandbox: sb.name });
    }
    const ep = await this.createEndpoint(network.id, config);
    try {
      return await this.join(ep.id, sb.id);
    } catch (e) {
      await this.networkLock.run("*", () => deleteEndpoint(this.core, this.getEndpoint(ep.id), { rewind: true })).catch((err: unknown) => this.core.log.error("endpoint cleanup after failed join failed", { error: String(err) }));
      throw e;
    }
  }

  /** Docker's `network disconnect`: leave and delete the sandbox's endpoint on the network. */
  async disconnect(networkRef: string, sandboxRef: string): Promise<LeaveResult> {
    const network = this.getNetwork(networkRef);
    const sb = this.getSandbox(sandboxRef);
    const ep = this.listEndpoints({ sandboxId: sb.id }).find((e) => e.networkId === network.id);
    if (!ep) {
      throw coreError("ENDPOINT_NOT_JOINED", `sandbox '${sb.name}' is not connected to network '${network.name}'`, "check the sandbox's networks", { network: network.name, sandbox: sb.name });
    }
    const res = await this.leave(ep.id, sb.id);
    await this.networkLock.run("*", () => deleteEndpoint(this.core, this.getEndpoint(ep.id)));
    return res;
  }

  /** Closes the store. Kernel state stays: containers keep their networking. */
  async close(): Promise<void> {
    await this.core.store.close();
  }
}

function driverState(store: Store, driver: string): DriverStateStore {
  const kind = `driver:${driver}` as const;
  return {
    get: <T>(key: string) => store.get<T>(kind, key),
    put: (key, value) => store.apply([{ op: "put", kind, id: key, value }]),
    delete: (key) => store.apply([{ op: "delete", kind, id: key }]),
    list: async <T>(prefix: string) => (await store.list<T>(kind)).filter((e) => e.id.startsWith(prefix)).map((e) => ({ key: e.id, value: e.value })),
  };
}
