/**
 * Test drivers standing in for bridge and ipvlan in core's unit tests. They program the
 * fake kernel (a bridge per network, a veth per endpoint, a default route on the gateway
 * endpoint) and model the bridge's port publishing: bindings only on gateway endpoints,
 * 6-to-4 while an IPv4 gateway has no IPv6 gateway beside it. Host ports live in a table
 * shared by every driver of a test, so taking a port another driver still holds fails —
 * exactly what release-before-acquire must prevent.
 */
import { API_VERSION, NetdError } from "@netd/driverapi";
import type { Driver, DriverContext, EndpointInfo, GatewayChange, NetworkInfo, SandboxInfo } from "@netd/driverapi";

export interface Journal {
  /** Every hook call in order: "bridge:join:<net>", "bridge:release:gw4=<id6 or ->" … */
  readonly calls: string[];
  /** Host port table shared by all drivers: "0.0.0.0:8080/tcp" → "<net>:v4". */
  readonly hostPorts: Map<string, string>;
}

export function createJournal(): Journal {
  return { calls: [], hostPorts: new Map() };
}

export interface RecordingDriverOptions {
  readonly name: string;
  readonly journal: Journal;
  /** "ipam": gateways are the network's IPAM gateways (bridge); "force": forced per family with an address (ipvlan l3). */
  readonly gateways: "ipam" | "force";
  /** Model the bridge's port publishing. */
  readonly publishes: boolean;
  /** Throw from a hook when the predicate says so. */
  readonly failWhen?: (hook: string, detail: { network?: string; change?: GatewayChange }) => boolean;
}

interface Joined {
  readonly network: NetworkInfo;
  readonly endpoint: EndpointInfo;
  readonly ifname: string;
  readonly host: string;
  routes: { v4: boolean; v6: boolean };
  /** Host-port keys this endpoint holds. */
  bindings: Set<string>;
}

export type RecordingDriver = Driver & { readonly events: GatewayChange[]; readonly joined: Map<string, Joined> };

const bridgeName = (n: NetworkInfo) => `br-${n.id.slice(0, 8)}`;
const addrOf = (cidr: string | null) => (cidr ? cidr.split("/")[0]! : null);

export function createRecordingDriver(o: RecordingDriverOptions): RecordingDriver {
  const joined = new Map<string, Joined>();
  const events: GatewayChange[] = [];
  const fail = (hook: string, detail: { network?: string; change?: GatewayChange } = {}) => {
    if (o.failWhen?.(hook, detail)) {
      throw new NetdError({ code: "TEST_FAILURE", category: "internal", message: `${o.name}: injected failure in ${hook}` });
    }
  };

  /** The bindings endpoint `j` should hold under the event (bridge §4.5 modes). */
  const desired = (j: Joined, c: GatewayChange): Map<string, string> => {
    const out = new Map<string, string>();
    if (!o.publishes) return out;
    const gw4 = c.gw4 === j.endpoint.id && j.endpoint.ipv4 !== null;
    const gw6 = c.gw6 === j.endpoint.id && j.endpoint.ipv6 !== null;
    const proxy6to4 = gw4 && c.gw6 === null;
    for (const b of c.sandbox.portBindings) {
      const port = b.hostPortStart;
      if (gw4) out.set(`0.0.0.0:${port}/${b.protocol}`, `${j.network.name}:v4`);
      if (gw6) out.set(`[::]:${port}/${b.protocol}`, `${j.network.name}:v6`);
      else if (proxy6to4) out.set(`[::]:${port}/${b.protocol}`, `${j.network.name}:v4`);
    }
    return out;
  };

  const driver: RecordingDriver = {
    name: o.name,
    apiVersion: API_VERSION,
    capabilities: { scope: "local", needsGatewayAddress: o.gateways === "ipam", publishesPorts: o.publishes, supportsIPv4: true, supportsIPv6: true },
    events,
    joined,

    async createNetwork(ctx, network) {
      o.journal.calls.push(`${o.name}:createNetwork:${network.name}`);
      fail("createNetwork", { network: network.name });
      await ctx.kernel.links.addBridge(ctx.hostNetns, { name: bridgeName(network), up: true });
    },
    async deleteNetwork(ctx, network) {
      o.journal.calls.push(`${o.name}:deleteNetwork:${network.name}`);
      await ctx.kernel.links.delete(ctx.hostNetns, bridgeName(network));
    },
    createEndpoint(_ctx, network) {
      o.journal.calls.push(`${o.name}:createEndpoint:${network.name}`);
      fail("createEndpoint", { network: network.name });
      return Promise.resolve({ mac: "02:00:00:00:00:01" });
    },
    deleteEndpoint(_ctx, network) {
      o.journal.calls.push(`${o.name}:deleteEndpoint:${network.name}`);
      return Promise.resolve();
    },
    async join(ctx: DriverContext, network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo) {
      o.journal.calls.push(`${o.name}:join:${network.name}`);
      fail("join", { network: network.name });
      const host = `ve${endpoint.id.slice(0, 8)}`;
      const ifname = `e${endpoint.id.slice(0, 8)}`;
      await ctx.kernel.links.addVeth(ctx.hostNetns, { name: host, master: bridgeName(network), up: true, peer: { name: ifname, netns: sandbox.netns } });
      if (endpoint.ipv4) await ctx.kernel.addresses.add(sandbox.netns, ifname, endpoint.ipv4);
      if (endpoint.ipv6) await ctx.kernel.addresses.add(sandbox.netns, ifname, endpoint.ipv6, { nodad: true });
      await ctx.kernel.links.set(sandbox.netns, ifname, { up: true });
      joined.set(endpoint.id, { network, endpoint, ifname, host, routes: { v4: false, v6: false }, bindings: new Set() });
      const internal = network.internal;
      if (o.gateways === "force") {
        return { interfaceName: ifname, gateway4: null, gateway6: null, forceGateway4: !internal && endpoint.ipv4 !== null, forceGateway6: !internal && endpoint.ipv6 !== null };
      }
      return { interfaceName: ifname, gateway4: internal ? null : (network.ipv4?.gateway ?? null), gateway6: internal ? null : (network.ipv6?.gateway ?? null) };
    },
    async leave(ctx, network, endpoint) {
      o.journal.calls.push(`${o.name}:leave:${network.name}`);
      const j = joined.get(endpoint.id);
      for (const key of j?.bindings ?? []) o.journal.hostPorts.delete(key);
      // By name, not from memory: after a crash the join's state is gone but its veth may not be.
      await ctx.kernel.links.delete(ctx.hostNetns, `ve${endpoint.id.slice(0, 8)}`);
      joined.delete(endpoint.id);
    },
    async onGatewayChange(ctx, change) {
      events.push(change);
      o.journal.calls.push(`${o.name}:${change.phase}:gw4=${change.gw4?.slice(0, 6) ?? "-"}`);
      fail(change.phase, { change });
      for (const info of change.endpoints) {
        const j = joined.get(info.id);
        if (!j) continue;
        const want = desired(j, change);
        const wantRoute = { v4: change.gw4 === j.endpoint.id && o.gateways === "ipam", v6: change.gw6 === j.endpoint.id && o.gateways === "ipam" };
        if (change.phase === "release") {
          for (const key of [...j.bindings]) {
            if (want.get(key) === undefined || o.journal.hostPorts.get(key) !== want.get(key)) {
              o.journal.hostPorts.delete(key);
              j.bindings.delete(key);
            }
          }
          for (const fam of ["v4", "v6"] as const) {
            if (j.routes[fam] && !wantRoute[fam]) {
              await ctx.kernel.routes.delete(change.sandbox.netns, { to: "default", family: fam === "v4" ? 4 : 6, via: addrOf(fam === "v4" ? j.network.ipv4?.gateway ?? null : j.network.ipv6?.gateway ?? null) ?? undefined, dev: j.ifname });
              j.routes[fam] = false;
            }
          }
        } else {
          for (const fam of ["v4", "v6"] as const) {
            if (!j.routes[fam] && wantRoute[fam]) {
              const via = fam === "v4" ? j.network.ipv4?.gateway : j.network.ipv6?.gateway;
              await ctx.kernel.routes.add(change.sandbox.netns, { to: "default", family: fam === "v4" ? 4 : 6, via: via ?? undefined, dev: j.ifname });
              j.routes[fam] = true;
            }
          }
          for (const [key, value] of want) {
            if (j.bindings.has(key)) continue;
            const holder = o.journal.hostPorts.get(key);
            if (holder !== undefined) {
              throw new NetdError({ code: "PORT_ALREADY_ALLOCATED", category: "conflict", message: `Bind for ${key} failed: port is already allocated (held by ${holder})` });
            }
            o.journal.hostPorts.set(key, value);
            j.bindings.add(key);
          }
        }
      }
    },
  };
  return driver;
}
