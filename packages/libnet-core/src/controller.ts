/**
 * The public entry of libnet-core. One Controller per daemon: it owns networks, endpoints
 * and sandboxes, IPAM and the driver registry, and it is the only caller of driver hooks.
 *
 * Every operation is one store transaction: its intent is written before the first kernel
 * change and its records, with the drivers' staged state, are committed in one batch
 * (txn/transaction.ts); `open` undoes or finishes what a crash interrupted (txn/recover.ts).
 *
 * Concurrency: joins and leaves are serialised per sandbox (different sandboxes proceed in
 * parallel); network creation and deletion and endpoint creation are serialised per daemon;
 * sandbox names are reserved before the first await, so they stay unique under concurrency.
 */
import type { Driver, EndpointOperInfo, HostPortReserver, Kernel, Logger, NetnsPath, PortAllocator } from "@netd/driverapi";
import { createPortAllocator } from "@netd/portallocator";
import type { Core, CoreState } from "./core.js";
import { contextFor, networkOf, toEndpointInfo, toNetworkInfo } from "./core.js";
import { createEndpoint } from "./endpoint/create-endpoint.js";
import type { EndpointConfig } from "./endpoint/create-endpoint.js";
import { EndpointIndex } from "./endpoint/endpoint-index.js";
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
import { startSelfRepair, type SelfRepair, type SelfRepairOptions } from "./repair/self-repair.js";
import { replayGateways, restore } from "./restore.js";
import { createSandbox } from "./sandbox/create-sandbox.js";
import type { CreateSandboxOptions, CreateSandboxRequest } from "./sandbox/create-sandbox.js";
import { deleteSandbox } from "./sandbox/delete-sandbox.js";
import { join } from "./sandbox/join.js";
import { leave } from "./sandbox/leave.js";
import type { LeaveResult } from "./sandbox/leave.js";
import { KeyedSerializer } from "./serial.js";
import type { Store } from "./store/store.js";
import { recoverInterrupted } from "./txn/recover.js";
import { sweepNamespaces } from "./sweep.js";
import { Txn } from "./txn/transaction.js";

export interface ControllerOptions {
  readonly kernel: Kernel;
  readonly store: Store;
  readonly drivers: readonly Driver[];
  /** Host-port bookkeeping handed to publishing drivers; default: a new allocator. */
  readonly ports?: PortAllocator;
  readonly portReserver?: HostPortReserver;
  /** The namespace treated as the host; default "/proc/self/ns/net". */
  readonly hostNetns?: NetnsPath;
  readonly log?: Logger;
  readonly ipam?: IpamOptions;
  /** Prefix of namespaces created for sandboxes; default "netd-". */
  readonly netnsPrefix?: string;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export class Controller {
  private readonly core: Core;
  private readonly sandboxLock = new KeyedSerializer();
  private readonly networkLock = new KeyedSerializer();
  /** Creates on a caller's namespace are serialised: its identity is checked against every sandbox. */
  private readonly adoptLock = new KeyedSerializer();

  private constructor(core: Core) {
    this.core = core;
  }

  /**
   * Registers the drivers (refusing a broken one with the reason), loads the store and
   * restores: IPAM, vanished namespaces, drivers' `restore` (which sweep their orphan links),
   * interrupted operations, the orphan-namespace sweep, then a gateway-change replay per sandbox.
   */
  static async open(options: ControllerOptions): Promise<Controller> {
    const registry = new DriverRegistry();
    for (const d of options.drivers) registry.register(d);
    const state: CoreState = { networks: new Map(), endpoints: new EndpointIndex(), sandboxes: new Map(), deleting: new Set(), delivered: new Map(), pendingSandboxNames: new Set() };
    // The ULA /48 that automatic IPv6 subnets come from must stay the same across restarts.
    const storedUla = await options.store.get<string>("meta", "ula48");
    const ipam = new Ipam({ ...options.ipam, ula48: options.ipam?.ula48 ?? storedUla });
    if (storedUla === undefined) await options.store.apply([{ op: "put", kind: "meta", id: "ula48", value: ipam.ula48 }]);
    const store = options.store;
    const core: Core = {
      state,
      store,
      ipam,
      registry,
      kernel: options.kernel,
      hostNetns: options.hostNetns ?? "/proc/self/ns/net",
      log: options.log ?? silent,
      netnsPrefix: options.netnsPrefix ?? "netd-",
      ports: options.ports ?? createPortAllocator(),
      ...(options.portReserver ? { portReserver: options.portReserver } : {}),
      async begin(intent) {
        const txn = new Txn(store, intent);
        await txn.begin();
        return txn;
      },
    };
    await restore(core);
    const controller = new Controller(core);
    await recoverInterrupted(core, {
      deleteNetwork: (id) => controller.deleteNetwork(id),
      deleteSandbox: (id) => controller.deleteSandbox(id),
      leave: (endpointId, sandboxId, alsoDelete) => controller.leaveEndpoint(endpointId, sandboxId, alsoDelete),
      deleteEndpoint: (id) => controller.deleteEndpoint(id),
    });
    // After recovery: an interrupted sandbox create's namespace is its intent's to remove.
    await sweepNamespaces(core);
    await replayGateways(core);
    return controller;
  }

  /** Registered drivers with their API versions, sorted by name. */
  drivers(): Array<{ name: string; apiVersion: number }> {
    return this.core.registry.names().map((name) => ({ name, apiVersion: this.core.registry.get(name).apiVersion }));
  }

  createNetwork(req: CreateNetworkRequest): Promise<NetworkRecord> {
    return this.networkLock.run("*", () => createNetwork(this.core, req));
  }

  /** Deletes a network by id, name or unique id prefix; refuses while it has endpoints. */
  deleteNetwork(ref: string): Promise<void> {
    return this.networkLock.run("*", () => deleteNetwork(this.core, this.getNetwork(ref)));
  }

  getNetwork(ref: string): NetworkRecord {
    return lookup(this.core.state.networks, ref, "network", "NETWORK_NOT_FOUND");
  }

  listNetworks(): NetworkRecord[] {
    return [...this.core.state.networks.values()];
  }

  /** Creates an endpoint that is not joined yet. */
  createEndpoint(networkRef: string, config?: EndpointConfig): Promise<EndpointRecord> {
    return this.networkLock.run("*", async () => {
      const created = await createEndpoint(this.core, this.getNetwork(networkRef), config, null);
      try {
        await created.txn.commit();
      } catch (e) {
        await created.undo();
        throw e;
      }
      return created.record;
    });
  }

  /** Deletes an endpoint; with `force` a joined endpoint leaves first (in the same transaction). */
  async deleteEndpoint(endpointId: string, options: { force?: boolean } = {}): Promise<void> {
    const ep = this.getEndpoint(endpointId);
    if (ep.sandboxId !== null) {
      if (!options.force) {
        throw coreError("ENDPOINT_IN_USE", `endpoint ${ep.id.slice(0, 12)} is joined to a sandbox`, "disconnect it first or pass force");
      }
      await this.leaveEndpoint(ep.id, ep.sandboxId, true);
      return;
    }
    const txn = await this.core.begin({ op: "deleteEndpoint", endpointId });
    await this.inTxn(txn, () => deleteEndpoint(this.core, txn, this.getEndpoint(endpointId)));
    await txn.commit();
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
    return driver.endpointInfo(contextFor(this.core, driver, null), toNetworkInfo(network), toEndpointInfo(ep));
  }

  listEndpoints(filter: { networkId?: string; sandboxId?: string } = {}): EndpointRecord[] {
    const { endpoints } = this.core.state;
    const from = filter.sandboxId !== undefined ? endpoints.ofSandbox(filter.sandboxId) : filter.networkId !== undefined ? endpoints.ofNetwork(filter.networkId) : endpoints;
    return [...from.values()].filter(
      (e) => (filter.networkId === undefined || e.networkId === filter.networkId) && (filter.sandboxId === undefined || e.sandboxId === filter.sandboxId),
    );
  }

  /** Creates a sandbox; `options.durable` false only when a durable change of the same operation follows. */
  createSandbox(req?: CreateSandboxRequest, options?: CreateSandboxOptions): Promise<SandboxRecord> {
    if (req?.netns === undefined) return createSandbox(this.core, req, options);
    return this.adoptLock.run("*", () => createSandbox(this.core, req, options));
  }

  getSandbox(ref: string): SandboxRecord {
    return lookup(this.core.state.sandboxes, ref, "sandbox", "SANDBOX_NOT_FOUND");
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
    return this.sandboxLock.run(sb.id, async () => {
      const txn = await this.core.begin({ op: "join", endpointId, sandboxId: sb.id });
      return this.inTxn(txn, () => join(this.core, txn, this.getEndpoint(endpointId), this.getSandbox(sb.id)));
    });
  }

  /** Detaches an endpoint; best effort, failures in the result. */
  leave(endpointId: string, sandboxRef: string): Promise<LeaveResult> {
    return this.leaveEndpoint(endpointId, this.getSandbox(sandboxRef).id, false);
  }

  /** Docker's `network connect`: create an endpoint and join it in one transaction; on failure neither remains. */
  async connect(networkRef: string, sandboxRef: string, config?: EndpointConfig): Promise<EndpointRecord> {
    const network = this.getNetwork(networkRef);
    const sb = this.getSandbox(sandboxRef);
    if (this.listEndpoints({ sandboxId: sb.id }).some((e) => e.networkId === network.id)) {
      throw coreError("ENDPOINT_EXISTS", `sandbox '${sb.name}' is already connected to network '${network.name}'`, "disconnect it first", { network: network.name, sandbox: sb.name });
    }
    const created = await this.networkLock.run("*", () => createEndpoint(this.core, this.getNetwork(network.id), config, sb.id));
    try {
      return await this.sandboxLock.run(sb.id, () => join(this.core, created.txn, created.record, this.getSandbox(sb.id)));
    } catch (e) {
      await created.undo();
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
    return this.leaveEndpoint(ep.id, sb.id, true);
  }

  /**
   * Stops what drivers run in this process (their `shutdown`) and closes the store. Kernel
   * state stays: containers keep their networking. Returns the drivers' failures.
   */
  async close(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const name of this.core.registry.names()) {
      const driver = this.core.registry.get(name);
      if (!driver.shutdown) continue;
      await driver.shutdown(contextFor(this.core, driver, null)).catch((e: unknown) => failures.push(e));
    }
    await this.core.store.close();
    return failures;
  }

  /**
   * `netd cleanup`, after every sandbox and network is deleted: each driver's `cleanup`
   * removes what it still owns in the host namespace. Returns failures by driver.
   */
  async cleanupDrivers(): Promise<Array<{ driver: string; error: unknown }>> {
    const failures: Array<{ driver: string; error: unknown }> = [];
    for (const name of this.core.registry.names()) {
      const driver = this.core.registry.get(name);
      if (!driver.cleanup) continue;
      const txn = await this.core.begin(null);
      try {
        await driver.cleanup(contextFor(this.core, driver, txn));
        await txn.commit();
      } catch (error) {
        await txn.abandon();
        failures.push({ driver: name, error });
      }
    }
    return failures;
  }

  /**
   * Asks every driver with `reconcile` to repair what someone else changed in the kernel;
   * returns the names of the drivers that had to repair something.
   */
  async reconcile(): Promise<string[]> {
    const repaired: string[] = [];
    for (const name of this.core.registry.names()) {
      const driver = this.core.registry.get(name);
      if (!driver.reconcile) continue;
      const txn = await this.core.begin(null);
      try {
        if (await driver.reconcile(contextFor(this.core, driver, txn))) repaired.push(name);
        await txn.commit();
      } catch (e) {
        await txn.abandon();
        this.core.log.error("driver reconcile failed", { driver: name, error: String(e) });
      }
    }
    return repaired;
  }

  /**
   * Starts watching the host namespace for changes others make to what drivers own (their
   * nft tables) and has the drivers repair them through {@link Controller.reconcile}. Stop
   * it before {@link Controller.close}.
   */
  startSelfRepair(options: SelfRepairOptions = {}): SelfRepair {
    return startSelfRepair({ kernel: this.core.kernel, hostNetns: this.core.hostNetns, log: this.core.log, reconcile: () => this.reconcile() }, options);
  }

  /** Leave (and with `alsoDelete` delete) under the sandbox's serializer, in one transaction. */
  private leaveEndpoint(endpointId: string, sandboxId: string, alsoDelete: boolean): Promise<LeaveResult> {
    return this.sandboxLock.run(sandboxId, async () => {
      const txn = await this.core.begin({ op: "leave", endpointId, sandboxId, deleteEndpoint: alsoDelete });
      const res = await this.inTxn(txn, () => leave(this.core, txn, this.getEndpoint(endpointId), this.getSandbox(sandboxId)));
      // The leave is done in the kernel whatever happens next: commit it even when the
      // endpoint's deletion fails (the endpoint then stays, detached, and can be deleted again).
      const deleteFailed: Error[] = [];
      if (alsoDelete) await deleteEndpoint(this.core, txn, this.getEndpoint(endpointId)).catch((e: unknown) => deleteFailed.push(e instanceof Error ? e : new Error(String(e))));
      await txn.commit();
      if (deleteFailed[0]) throw deleteFailed[0];
      return res;
    });
  }

  /** Runs a step of `txn`'s operation; a throw abandons the transaction. */
  private async inTxn<T>(txn: Txn, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      await txn.abandon();
      throw e;
    }
  }
}
