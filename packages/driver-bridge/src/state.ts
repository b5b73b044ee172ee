/**
 * The driver's in-memory state and its persistence through `ctx.state` (one entry per
 * network and per joined endpoint), so that `restore` can rebuild it after a daemon restart.
 * Every write goes to the calling hook's `ctx.state` (passed as `store`): core commits it
 * with the operation, or drops it when the operation fails.
 */
import type { DriverStateStore } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig } from "./model.js";
import { VethReaper } from "./endpoint/reaper.js";

/** A joined endpoint and the default routes the driver installed for it. */
export interface EndpointState {
  readonly endpoint: BridgeEndpoint;
  /** Families whose default route (via the bridge gateway) the driver installed in the sandbox. */
  readonly routes: { readonly 4: boolean; readonly 6: boolean };
}

const NET = "network/";
const EP = "endpoint/";
const DOOMED = "doomed/";

/** Networks and joined endpoints of one driver instance. */
export class DriverState {
  readonly networks = new Map<string, BridgeNetworkConfig>();
  readonly endpoints = new Map<string, EndpointState>();
  /** Host veths being deleted in the background (see endpoint/reaper.ts). */
  readonly reaper = new VethReaper();

  /** Records a host veth whose deletion was handed to the reaper (committed with the leave). */
  async putDoomed(store: DriverStateStore, name: string): Promise<void> {
    await store.put(DOOMED + name, { name });
  }

  /** Drops the doomed records of veths the reaper has deleted since the last call. */
  async forgetReaped(store: DriverStateStore): Promise<void> {
    for (const name of this.reaper.takeFinished()) await store.delete(DOOMED + name);
  }

  /** Forgets one doomed record (restore, after deleting the link). */
  async deleteDoomed(store: DriverStateStore, name: string): Promise<void> {
    await store.delete(DOOMED + name);
  }

  /** Names of host veths a previous daemon doomed but may not have deleted (restore). */
  async loadDoomed(store: DriverStateStore): Promise<string[]> {
    return (await store.list<{ name: string }>(DOOMED)).map((e) => e.value.name);
  }

  constructor(
    /** This driver instance's byte in its bridges' MACs (`bridgeMarkOf` of its nft table). */
    readonly mark: string,
  ) {}

  /** Records a network (memory and store). Called last in createNetwork. */
  async putNetwork(store: DriverStateStore, config: BridgeNetworkConfig): Promise<void> {
    await store.put(NET + config.id, config);
    this.networks.set(config.id, config);
  }

  /** Forgets a network; missing is fine. */
  async deleteNetwork(store: DriverStateStore, id: string): Promise<void> {
    await store.delete(NET + id);
    this.networks.delete(id);
  }

  /** Records a joined endpoint or a change of its installed routes. */
  async putEndpoint(store: DriverStateStore, state: EndpointState): Promise<void> {
    await store.put(EP + state.endpoint.id, state);
    this.endpoints.set(state.endpoint.id, state);
  }

  /** Forgets an endpoint; missing is fine. */
  async deleteEndpoint(store: DriverStateStore, id: string): Promise<void> {
    await store.delete(EP + id);
    this.endpoints.delete(id);
  }

  /** What a previous daemon persisted (restore). */
  async load(store: DriverStateStore): Promise<{ networks: BridgeNetworkConfig[]; endpoints: EndpointState[] }> {
    const networks = (await store.list<BridgeNetworkConfig>(NET)).map((e) => e.value);
    const endpoints = (await store.list<EndpointState>(EP)).map((e) => e.value);
    return { networks, endpoints };
  }

  /** Joined endpoints of a network. */
  endpointsOf(networkId: string): EndpointState[] {
    return [...this.endpoints.values()].filter((e) => e.endpoint.networkId === networkId);
  }
}
