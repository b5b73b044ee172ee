/**
 * The driver's in-memory state and its persistence through `ctx.state` (one entry per
 * network and per joined endpoint), so that `restore` can rebuild it after a daemon restart.
 * Every write goes to the calling hook's `ctx.state` (passed as `store`): core commits it
 * with the operation, or drops it when the operation fails.
 */
import type { DriverStateStore } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig } from "./model.js";

/** A joined endpoint and the default routes the driver installed for it. */
export interface EndpointState {
  readonly endpoint: BridgeEndpoint;
  /** Families whose default route (via the bridge gateway) the driver installed in the sandbox. */
  readonly routes: { readonly 4: boolean; readonly 6: boolean };
}

const NET = "network/";
const EP = "endpoint/";

/** Networks and joined endpoints of one driver instance. */
export class DriverState {
  readonly networks = new Map<string, BridgeNetworkConfig>();
  readonly endpoints = new Map<string, EndpointState>();

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
