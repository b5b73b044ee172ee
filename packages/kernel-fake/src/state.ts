import type { IpFamily, LinkInfo, NetnsPath } from "@netd/driverapi";
import { fail } from "./errors.js";

/** One link as the fake keeps it. Veth ends point at each other by (namespace, index). */
export interface FakeLink {
  index: number;
  name: string;
  kind: string;
  up: boolean;
  mtu: number;
  mac: string;
  master: string | null;
  parentIndex: number | null;
  /** The namespace of the parent link (children and veth peers may live elsewhere). */
  parentNetns: NetnsPath | null;
  hairpin: boolean;
  /** ipvlan/macvlan mode, or null. */
  mode: string | null;
  /** ipvlan flag (bridge, private, vepa), or null. */
  flag: string | null;
  vlanId: number | null;
}

/** An address on a link, canonical text. */
export interface FakeAddress {
  link: string;
  address: string;
  family: IpFamily;
}

/** A stored route, normalised: `to` canonical, `table` and `metric` explicit, `dev` resolved. */
export interface FakeRoute {
  to: string;
  family: IpFamily;
  via?: string;
  dev: string;
  metric: number;
  table: number;
}

/** One set or map of an nft table; elements as their nft text. */
export interface FakeNftSet {
  kind: "set" | "map";
  elements: string[];
}

/** One of netd's nft tables: the body as given and the sets it declares. */
export interface FakeNftTable {
  family: "inet" | "ip" | "ip6";
  name: string;
  body: string;
  sets: Map<string, FakeNftSet>;
}

/** A conntrack entry (seeded by tests through `seedConntrack`). */
export interface FakeConntrackEntry {
  family: IpFamily;
  protocol: "tcp" | "udp" | "sctp";
  origSrc: string;
  origDst: string;
  origDstPort: number;
  replySrc: string;
}

/** Everything one network namespace holds. */
export interface FakeNamespace {
  path: NetnsPath;
  links: Map<string, FakeLink>;
  addresses: FakeAddress[];
  routes: FakeRoute[];
  sysctls: Map<string, string>;
  nft: Map<string, FakeNftTable>;
  conntrack: FakeConntrackEntry[];
}

/**
 * The synchronous twin of an async API group: the fake computes everything in one tick. The
 * fake implements optional members too (`-?`).
 */
export type SyncApi<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

/** Default IPv4 route metric (the kernel's "priority 0"). */
export const DEFAULT_METRIC4 = 0;
/** Default metric the kernel gives user IPv6 routes. */
export const DEFAULT_METRIC6 = 1024;
/** The main routing table. */
export const MAIN_TABLE = 254;

/** The fake's whole world: namespaces by path and a link index counter. */
export class FakeWorld {
  readonly namespaces = new Map<NetnsPath, FakeNamespace>();
  /** Names under /run/netns that are plain files, not namespaces (a create or delete interrupted by kill -9). */
  readonly staleNetnsFiles = new Set<string>();
  private nextIndex = 2;

  /** Adds an empty namespace at `path` with `lo` up (index 1, as in every namespace). */
  addNamespace(path: NetnsPath): FakeNamespace {
    const ns: FakeNamespace = {
      path,
      links: new Map(),
      addresses: [],
      routes: [],
      sysctls: new Map(),
      nft: new Map(),
      conntrack: [],
    };
    ns.links.set("lo", {
      index: 1,
      name: "lo",
      kind: "",
      up: true,
      mtu: 65536,
      mac: "",
      master: null,
      parentIndex: null,
      parentNetns: null,
      hairpin: false,
      mode: null,
      flag: null,
      vlanId: null,
    });
    this.namespaces.set(path, ns);
    return ns;
  }

  /** The namespace at `path`, or NETNS_NOT_FOUND. */
  ns(path: NetnsPath): FakeNamespace {
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw fail("INVALID_NETNS", `namespace path ${JSON.stringify(path)} is not valid`, "pass /run/netns/NAME or /proc/PID/ns/net");
    }
    const ns = this.namespaces.get(path);
    if (!ns) {
      throw fail("NETNS_NOT_FOUND", `network namespace ${JSON.stringify(path)} does not exist`, "create it first (netns.create) or pass an existing path", { netns: path });
    }
    return ns;
  }

  /** A fresh link index, unique across the fake so veth peers can point at each other. */
  allocIndex(): number {
    return this.nextIndex++;
  }

  /** The link `name` in `ns`, or LINK_NOT_FOUND naming `role`. */
  link(ns: FakeNamespace, name: string, role = "link"): FakeLink {
    const link = ns.links.get(name);
    if (!link) {
      throw fail("LINK_NOT_FOUND", `${role} '${name}' does not exist in ${ns.path}`, `create '${name}' first or check the namespace`, { netns: ns.path, link: name });
    }
    return link;
  }

  /** The link with `index` in the namespace at `path`, if both exist. */
  byIndex(path: NetnsPath | null, index: number | null): { ns: FakeNamespace; link: FakeLink } | null {
    if (path === null || index === null) return null;
    const ns = this.namespaces.get(path);
    if (!ns) return null;
    for (const link of ns.links.values()) if (link.index === index) return { ns, link };
    return null;
  }
}

/** The public view of a link. */
export function linkInfo(link: FakeLink): LinkInfo {
  return {
    index: link.index,
    name: link.name,
    kind: link.kind,
    up: link.up,
    mtu: link.mtu,
    mac: link.mac,
    master: link.master,
    parentIndex: link.parentIndex,
  };
}

/** A deterministic locally administered MAC for link `index`. */
export function macFor(index: number): string {
  const hex = index.toString(16).padStart(8, "0");
  return `02:fa:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
}
