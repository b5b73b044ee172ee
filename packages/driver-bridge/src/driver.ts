/**
 * The bridge Driver object: capabilities plus hooks that delegate to the steps in
 * network/, endpoint/, firewall/ and publish/. One firewall, one publisher and one state per
 * driver instance, created on the first hook call from the context's stable parts (kernel,
 * log, ports); each call's `ctx.state` is passed down to whatever persists.
 */
import { API_VERSION, NetdAggregateError } from "@netd/driverapi";
import type { Driver, DriverContext, EndpointInfo, GatewayChange, NetworkInfo, UserlandProxy } from "@netd/driverapi";
import type { PublishContext } from "./model.js";
import { bridgeError } from "./errors.js";
import { createBridgeFirewall, type BridgeFirewallImpl } from "./firewall/firewall.js";
import type { BridgeEndpoint, BridgeNetworkConfig, Publisher } from "./model.js";
import { applyGatewayRoutes } from "./endpoint/gateway-routes.js";
import { joinEndpoint } from "./endpoint/join.js";
import { leaveEndpoint } from "./endpoint/leave.js";
import { randomMac } from "./endpoint/names.js";
import { createNetwork } from "./network/create-network.js";
import { deleteNetwork } from "./network/delete-network.js";
import { forceGatewayMode, parseEndpointOptions } from "./options.js";
import { createPublisher } from "./publish/index.js";
import { restoreDriver } from "./restore.js";
import { DriverState } from "./state.js";

/** Options of {@link createBridgeDriver}. */
export interface BridgeDriverOptions {
  /** The driver name users pass as `-d`; default "bridge". */
  readonly name?: string;
  /** netd's nft table (`table inet <table>`); must start with "netd"; default "netd". */
  readonly table?: string;
  /**
   * Every family of every network of this driver is in this gateway mode; the gateway-mode
   * options are refused. Used by `@netd/driver-routed` (name "routed", its own table) so
   * that routed networks and the bridge's `gateway_mode_ipv4/ipv6=routed` share one code
   * path. Absent: the modes come from the options (default nat).
   */
  readonly forceMode?: "routed";
  /**
   * Serve host-local (127.0.0.1, ::1), hairpin and 6-to-4 traffic to published ports through
   * the userland proxy (Docker's `--userland-proxy`). Default true. Off: DNAT only, hairpin and
   * route_localnet on the bridges, no 6-to-4.
   */
  readonly userlandProxy?: boolean;
  /**
   * The userland proxy implementation to use when `userlandProxy` is on (the daemon passes
   * netd-proxy's, one process for all ports, from @netd/kernel). Absent: an in-process
   * fallback in this package serves the bindings (Node streams; tests and embedding).
   * The driver never spawns a process for it.
   */
  readonly proxy?: UserlandProxy;
}

/** The bridge driver (a plain Driver; the factory options are fixed for its lifetime). */
export type BridgeDriver = Driver;

interface Parts {
  readonly ctx: PublishContext;
  readonly state: DriverState;
  readonly firewall: BridgeFirewallImpl;
  readonly publisher: Publisher;
}

export function createBridgeDriver(options: BridgeDriverOptions = {}): BridgeDriver {
  const name = options.name ?? "bridge";
  const table = options.table ?? "netd";
  if (!/^netd[A-Za-z0-9_.-]{0,60}$/.test(table)) {
    throw bridgeError("INVALID_OPTION", `nft table name '${table}' is invalid`, "use 'netd' followed by letters, digits, '_', '.' or '-'", { table });
  }
  const userlandProxy = options.userlandProxy ?? true;
  let parts: Parts | null = null;
  // Applied to every NetworkInfo before it is parsed (create, delete, restore).
  const forceMode = options.forceMode;
  const shaped = (info: NetworkInfo): NetworkInfo => (forceMode ? forceGatewayMode(info, forceMode, name) : info);
  // Delete and restore must not fail on options: they parse only what create accepted.
  const shapedOrAsIs = (info: NetworkInfo): NetworkInfo => {
    try {
      return shaped(info);
    } catch {
      return info;
    }
  };

  const partsFor = (full: DriverContext): Parts => {
    if (parts) return parts;
    const { state: _perCall, ports, ...stable } = full;
    if (!ports) throw bridgeError("INVALID_NETWORK", `driver '${name}' got no port allocator`, "the bridge declares publishesPorts; run it under netd's core");
    const ctx: PublishContext = { ...stable, ports };
    const state = new DriverState();
    const firewall = createBridgeFirewall({ kernel: ctx.kernel, netns: ctx.hostNetns, table, userlandProxy, log: ctx.log });
    const network = (id: string): BridgeNetworkConfig => {
      const n = state.networks.get(id);
      if (!n) throw bridgeError("NETWORK_NOT_FOUND", `bridge driver has no network ${id.slice(0, 12)}`, "create the network first", { network: id });
      return n;
    };
    const publisher = createPublisher({ ctx, firewall, network }, userlandProxy, options.proxy);
    parts = { ctx, state, firewall, publisher };
    return parts;
  };

  const networkOf = (p: Parts, info: NetworkInfo): BridgeNetworkConfig => {
    const n = p.state.networks.get(info.id);
    if (!n) throw bridgeError("NETWORK_NOT_FOUND", `bridge driver has no network '${info.name}'`, "create it with this driver first", { network: info.id });
    return n;
  };

  const bridgeEndpoints = (p: Parts, endpoints: readonly EndpointInfo[]): BridgeEndpoint[] =>
    endpoints.map((e) => p.state.endpoints.get(e.id)?.endpoint).filter((e): e is BridgeEndpoint => e !== undefined);

  return {
    name,
    apiVersion: API_VERSION,
    capabilities: { scope: "local", needsGatewayAddress: true, publishesPorts: true, supportsIPv4: true, supportsIPv6: true },

    async createNetwork(ctx, network) {
      const p = partsFor(ctx);
      await createNetwork(ctx, p.state, p.firewall, shaped(network), userlandProxy);
    },

    async deleteNetwork(ctx, network) {
      const p = partsFor(ctx);
      await deleteNetwork(ctx, p.state, p.firewall, shapedOrAsIs(network));
    },

    // Validates the endpoint's options early and chooses its MAC, so that core stores it and
    // the same MAC comes back at join and after restarts.
    createEndpoint(ctx, network, endpoint) {
      const p = partsFor(ctx);
      try {
        networkOf(p, network);
        parseEndpointOptions(endpoint);
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return Promise.resolve(endpoint.mac ? {} : { mac: randomMac() });
    },

    async join(ctx, network, endpoint, sandbox) {
      const p = partsFor(ctx);
      return joinEndpoint(ctx, p.state, p.firewall, networkOf(p, network), endpoint, sandbox);
    },

    async leave(ctx, network, endpoint) {
      const p = partsFor(ctx);
      await leaveEndpoint(ctx, p.state, p.firewall, p.publisher, p.state.networks.get(network.id), endpoint);
    },

    async onGatewayChange(ctx, change: GatewayChange) {
      const p = partsFor(ctx);
      const endpoints = bridgeEndpoints(p, change.endpoints);
      if (change.phase === "release") {
        const errors: unknown[] = [];
        await p.publisher.onGatewayChange(ctx.state, change, endpoints).catch((e: unknown) => errors.push(e));
        await applyGatewayRoutes(ctx, p.state, change).catch((e: unknown) => errors.push(e));
        if (errors.length === 1) throw errors[0];
        if (errors.length > 1) throw new NetdAggregateError("failed to release gateway state", errors);
        return;
      }
      // Routes first: a sandbox that already has a default route (TestJoinError) fails the
      // join before any host port is bound.
      const undoRoutes = await applyGatewayRoutes(ctx, p.state, change);
      try {
        await p.publisher.onGatewayChange(ctx.state, change, endpoints);
      } catch (e) {
        await undoRoutes();
        throw e;
      }
    },

    endpointInfo(ctx, _network, endpoint) {
      const p = partsFor(ctx);
      const rec = p.state.endpoints.get(endpoint.id);
      return Promise.resolve({ mac: rec?.endpoint.mac ?? endpoint.mac ?? undefined, portBindings: p.publisher.bindings(endpoint.id) });
    },

    async restore(ctx, snapshot) {
      const p = partsFor(ctx);
      await restoreDriver(ctx, p.state, p.firewall, p.publisher, { ...snapshot, networks: snapshot.networks.map(shapedOrAsIs) }, userlandProxy);
    },

    async shutdown() {
      await parts?.publisher.close();
    },

    async cleanup(ctx) {
      await ctx.kernel.nft.deleteTable(ctx.hostNetns, { family: "inet", name: table });
    },
  };
}
