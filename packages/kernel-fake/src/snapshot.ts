import type { IpFamily, LinkInfo } from "@netd/driverapi";
import { compareRoutes, routeSpec } from "./routes.js";
import { linkInfo, type FakeNamespace, type FakeWorld } from "./state.js";

/** A link in a snapshot: its LinkInfo plus what the fake knows beyond it. */
export interface LinkSnapshot extends LinkInfo {
  /** For a veth: where its peer lives. For a child: where its parent lives. */
  readonly peer: { readonly netns: string; readonly name: string } | null;
  readonly hairpin: boolean;
  readonly mode: string | null;
  readonly flag: string | null;
  readonly vlanId: number | null;
}

/** One namespace in a snapshot; every list is sorted so equal states compare equal. */
export interface NamespaceSnapshot {
  /** Sorted by name. */
  readonly links: LinkSnapshot[];
  /** Sorted by link, then address. */
  readonly addresses: { link: string; address: string; family: IpFamily }[];
  /** Stored routes only (not the prefix routes derived from addresses), sorted. */
  readonly routes: { to: string; family: IpFamily; via?: string; dev?: string; metric?: number; table?: number }[];
  /** Only keys that were written; canonical dotted form. */
  readonly sysctls: Record<string, string>;
  /** Keyed "family name", e.g. "inet netd". */
  readonly nft: Record<string, { family: string; name: string; body: string; sets: Record<string, { kind: "set" | "map"; elements: string[] }> }>;
  readonly conntrack: number;
}

/** A deep, plain copy of the whole fake, keyed by namespace path. */
export interface FakeSnapshot {
  readonly namespaces: Record<string, NamespaceSnapshot>;
}

/** Copies the world into plain data; later kernel calls never change a snapshot. */
export function takeSnapshot(world: FakeWorld): FakeSnapshot {
  const namespaces: Record<string, NamespaceSnapshot> = {};
  for (const path of [...world.namespaces.keys()].sort()) {
    namespaces[path] = namespaceSnapshot(world, world.namespaces.get(path)!);
  }
  return { namespaces };
}

function namespaceSnapshot(world: FakeWorld, ns: FakeNamespace): NamespaceSnapshot {
  const links = [...ns.links.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((l): LinkSnapshot => {
      const other = world.byIndex(l.parentNetns, l.parentIndex);
      return {
        ...linkInfo(l),
        peer: other ? { netns: other.ns.path, name: other.link.name } : null,
        hairpin: l.hairpin,
        mode: l.mode,
        flag: l.flag,
        vlanId: l.vlanId,
      };
    });
  const addresses = ns.addresses
    .map((a) => ({ ...a }))
    .sort((a, b) => a.link.localeCompare(b.link) || a.address.localeCompare(b.address));
  const routes = [...ns.routes].sort(compareRoutes).map((r) => ({ ...routeSpec(r) }));
  const sysctls = Object.fromEntries([...ns.sysctls.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const nft: NamespaceSnapshot["nft"] = {};
  for (const key of [...ns.nft.keys()].sort()) {
    const t = ns.nft.get(key)!;
    const sets: Record<string, { kind: "set" | "map"; elements: string[] }> = {};
    for (const name of [...t.sets.keys()].sort()) {
      const s = t.sets.get(name)!;
      sets[name] = { kind: s.kind, elements: [...s.elements].sort() };
    }
    nft[key] = { family: t.family, name: t.name, body: t.body, sets };
  }
  return { links, addresses, routes, sysctls, nft, conntrack: ns.conntrack.length };
}
