import type { IpFamily, NetnsPath, RouteSpec, RoutesApi } from "@netd/driverapi";
import { fail } from "./errors.js";
import { DEFAULT_METRIC4, DEFAULT_METRIC6, MAIN_TABLE, type FakeNamespace, type FakeRoute, type FakeWorld, type SyncApi } from "./state.js";
import { checkLinkName, familyOf, inSubnet, ipText, parseCidr, parseIp, type ParsedIp } from "./validate.js";

/** Metric the kernel gives the prefix route of an IPv6 address. */
const CONNECTED_METRIC6 = 256;

/** A validated route, before reachability is checked: `dev` may still be unresolved. */
interface Normalised {
  to: string;
  family: IpFamily;
  via?: string;
  viaIp?: ParsedIp;
  dev?: string;
  metric: number;
  table: number;
}

function normalise(ns: FakeNamespace, world: FakeWorld, spec: RouteSpec, forDelete = false): Normalised {
  const family = spec.family;
  if (family !== 4 && family !== 6) throw fail("INVALID_ROUTE", `route family ${JSON.stringify(family)} is invalid`, "use 4 or 6");
  let to = "default";
  if (spec.to !== "default") {
    const cidr = parseCidr(spec.to, "route destination");
    if (cidr.family !== family) throw fail("INVALID_ADDRESS", `route destination ${spec.to} is not IPv${family}`, `give an IPv${family} prefix or family ${cidr.family}`);
    if (cidr.text !== cidr.network) throw fail("INVALID_ROUTE", `route destination ${spec.to} has host bits set`, `use ${cidr.network}`);
    to = cidr.prefix === 0 ? "default" : cidr.network;
  }
  if (spec.via === undefined && spec.dev === undefined) throw fail("INVALID_ROUTE", `route to ${spec.to} needs via or dev`, "give a gateway, a device or both");
  let viaIp: ParsedIp | undefined;
  if (spec.via !== undefined) {
    viaIp = parseIp(spec.via) ?? undefined;
    if (!viaIp || familyOf(viaIp) !== family) throw fail("INVALID_ADDRESS", `gateway ${JSON.stringify(spec.via)} is not an IPv${family} address`, `give an IPv${family} gateway`);
  }
  if (spec.dev !== undefined) checkLinkName(spec.dev, "route device");
  // A missing device on delete means its routes are gone already: deleting is idempotent.
  if (spec.dev !== undefined && !forDelete) world.link(ns, spec.dev, "route device");
  const metric = spec.metric ?? (family === 4 ? DEFAULT_METRIC4 : DEFAULT_METRIC6);
  const table = spec.table ?? MAIN_TABLE;
  if (!Number.isInteger(metric) || metric < 0 || metric > 0xffffffff) throw fail("INVALID_ROUTE", `route metric ${String(spec.metric)} is invalid`, "use an integer between 0 and 4294967295");
  if (!Number.isInteger(table) || table < 1 || table > 0xffffffff) throw fail("INVALID_ROUTE", `route table ${String(spec.table)} is invalid`, "use an integer between 1 and 4294967295");
  return { to, family, via: viaIp ? ipText(viaIp) : undefined, viaIp, dev: spec.dev, metric, table };
}

/** The prefix routes the kernel makes for addresses on links that are up. */
function connected(ns: FakeNamespace, family: IpFamily): FakeRoute[] {
  const out: FakeRoute[] = [];
  for (const a of ns.addresses) {
    if (a.family !== family || !ns.links.get(a.link)?.up) continue;
    const cidr = parseCidr(a.address);
    const to = cidr.prefix === 0 ? "default" : cidr.network;
    if (out.some((r) => r.to === to && r.dev === a.link)) continue;
    out.push({ to, family, dev: a.link, metric: family === 4 ? 0 : CONNECTED_METRIC6, table: MAIN_TABLE });
  }
  return out;
}

/** True if `ip` is on-link through `dev`: an address subnet or a gateway-less route of `dev` covers it. */
function onLink(ns: FakeNamespace, dev: string, ip: ParsedIp, table: number): boolean {
  if (ip.kind() === "ipv6" && ip.range() === "linkLocal") return true;
  const family = familyOf(ip);
  const covering = [...connected(ns, family), ...ns.routes.filter((r) => r.family === family && r.table === table && r.via === undefined)];
  return covering.some((r) => r.dev === dev && (r.to === "default" || inSubnet(ip, parseCidr(r.to))));
}

function resolve(ns: FakeNamespace, route: Normalised): FakeRoute {
  let dev = route.dev;
  if (route.viaIp) {
    const viaIp = route.viaIp;
    const candidates = dev !== undefined ? [dev] : [...ns.links.values()].filter((l) => l.up).map((l) => l.name);
    dev = candidates.find((d) => onLink(ns, d, viaIp, route.table));
    if (dev === undefined) {
      const through = route.dev !== undefined ? ` through '${route.dev}'` : "";
      throw fail("ROUTE_UNREACHABLE", `gateway ${route.via} of route ${route.to} is not on-link${through} in ${ns.path}`, "add an address whose subnet holds the gateway (or a device route to it) first", { netns: ns.path, via: route.via });
    }
  }
  const link = ns.links.get(dev ?? "");
  if (!link) throw fail("LINK_NOT_FOUND", `route device '${String(dev)}' does not exist in ${ns.path}`);
  // Linux refuses IPv4 nexthops on a down device ("Device for nexthop is not up"); IPv6 allows them.
  if (route.family === 4 && !link.up) {
    throw fail("ROUTE_UNREACHABLE", `device '${link.name}' for route ${route.to} in ${ns.path} is down`, `set '${link.name}' up before adding IPv4 routes through it`, { netns: ns.path, dev: link.name });
  }
  const out: FakeRoute = { to: route.to, family: route.family, dev: link.name, metric: route.metric, table: route.table };
  if (route.via !== undefined) out.via = route.via;
  return out;
}

const sameKey = (a: FakeRoute | Normalised, b: FakeRoute | Normalised): boolean =>
  a.family === b.family && a.table === b.table && a.to === b.to && a.metric === b.metric;

/** The public view of a stored route. */
export function routeSpec(r: FakeRoute): RouteSpec {
  return r.via === undefined
    ? { to: r.to, family: r.family, dev: r.dev, metric: r.metric, table: r.table }
    : { to: r.to, family: r.family, via: r.via, dev: r.dev, metric: r.metric, table: r.table };
}

/** Orders routes for stable listings and snapshots. */
export function compareRoutes(a: FakeRoute, b: FakeRoute): number {
  return a.table - b.table || a.to.localeCompare(b.to) || a.metric - b.metric || a.dev.localeCompare(b.dev);
}

/**
 * Builds the RoutesApi over `world`. Like the kernel, a route is identified by (table, prefix,
 * metric): a second one with the same key is ROUTE_EXISTS whatever its gateway. Prefix routes
 * of addresses on up links are listed and count for that check, but are not stored.
 */
export function createRoutes(world: FakeWorld): SyncApi<RoutesApi> {
  return {
    add(netns: NetnsPath, spec: RouteSpec): void {
      const ns = world.ns(netns);
      const route = normalise(ns, world, spec);
      const clash = [...ns.routes, ...connected(ns, route.family)].find((r) => sameKey(r, route));
      if (clash) {
        throw fail("ROUTE_EXISTS", `route ${route.to} (table ${route.table}, metric ${route.metric}) already exists via ${clash.via ?? clash.dev} in ${ns.path}`, "delete it first or use another metric", { netns: ns.path, to: route.to });
      }
      ns.routes.push(resolve(ns, route));
    },

    delete(netns: NetnsPath, spec: RouteSpec): void {
      const ns = world.ns(netns);
      const route = normalise(ns, world, spec, true);
      ns.routes = ns.routes.filter(
        (r) => !(sameKey(r, route) && (route.via === undefined || r.via === route.via) && (route.dev === undefined || r.dev === route.dev)),
      );
    },

    list(netns: NetnsPath, family: IpFamily): RouteSpec[] {
      const ns = world.ns(netns);
      if (family !== 4 && family !== 6) throw fail("INVALID_ROUTE", `route family ${JSON.stringify(family)} is invalid`, "use 4 or 6");
      return [...ns.routes.filter((r) => r.family === family), ...connected(ns, family)].sort(compareRoutes).map(routeSpec);
    },
  };
}
