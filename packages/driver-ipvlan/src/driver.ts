/** The ipvlan Driver object: capabilities and hooks wired to their steps. */
import type { Driver, DriverContext, DriverRestoreSnapshot } from "@netd/driverapi";
import { API_VERSION } from "@netd/driverapi";
import type { EndpointTable } from "./endpoints.js";
import { onGatewayChange } from "./gateway.js";
import { checkEndpoint, join, leave, rediscover } from "./join.js";
import { createNetwork, deleteNetwork } from "./network.js";

/** The driver name users pass as `-d`. */
export const IPVLAN_DRIVER_NAME = "ipvlan";

/**
 * Restores the endpoint table after a daemon restart: each joined endpoint's interface and
 * which default routes are installed, read back from the kernel. Drops state entries of
 * networks and endpoints the snapshot no longer has.
 */
async function restore(ctx: DriverContext, table: EndpointTable, snapshot: DriverRestoreSnapshot): Promise<void> {
  const networks = new Map(snapshot.networks.map((n) => [n.id, n]));
  const endpoints = new Set(snapshot.endpoints.map((e) => e.endpoint.id));
  for (const { key } of await ctx.state.list("net/")) if (!networks.has(key.slice(4))) await ctx.state.delete(key);
  for (const { key } of await ctx.state.list("ep/")) if (!endpoints.has(key.slice(3))) await ctx.state.delete(key);
  for (const { endpoint, sandbox } of snapshot.endpoints) {
    const network = networks.get(endpoint.networkId);
    if (!sandbox || !network) continue;
    const joined = await rediscover(ctx, network, endpoint, sandbox);
    if (joined) table.set(endpoint.id, joined);
    else ctx.log.warn("ipvlan endpoint has no interface in its sandbox after restart", { endpoint: endpoint.id, sandbox: sandbox.id });
  }
}

/** Creates the ipvlan driver. Each call returns an independent driver with its own endpoint table. */
export function createIpvlanDriver(): Driver {
  const table: EndpointTable = new Map();
  return {
    name: IPVLAN_DRIVER_NAME,
    apiVersion: API_VERSION,
    capabilities: { scope: "local", needsGatewayAddress: false, publishesPorts: false, supportsIPv4: true, supportsIPv6: true },
    async createNetwork(ctx, network) {
      await createNetwork(ctx, network);
    },
    deleteNetwork: (ctx, network) => deleteNetwork(ctx, network),
    createEndpoint(_ctx, _network, endpoint) {
      try {
        checkEndpoint(endpoint);
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return Promise.resolve();
    },
    join: (ctx, network, endpoint, sandbox) => join(ctx, table, network, endpoint, sandbox),
    leave: (ctx, network, endpoint, sandbox) => leave(ctx, table, network, endpoint, sandbox),
    onGatewayChange: (ctx, change) => onGatewayChange(ctx, table, change),
    restore: (ctx, snapshot) => restore(ctx, table, snapshot),
  };
}
