import type { FakeLink, FakeNamespace, FakeWorld } from "./state.js";

/**
 * Removes `link` from `ns` the way the kernel does when a device goes away: its addresses,
 * the routes through it and its per-interface sysctls go with it, its bridge ports are
 * released, and every link that points at it (the veth peer, ipvlan/macvlan/vlan children,
 * in any namespace) is removed too.
 */
export function removeLink(world: FakeWorld, ns: FakeNamespace, link: FakeLink): void {
  if (ns.links.get(link.name) !== link) return;
  ns.links.delete(link.name);
  ns.addresses = ns.addresses.filter((a) => a.link !== link.name);
  ns.routes = ns.routes.filter((r) => r.dev !== link.name);
  dropLinkSysctls(ns, link.name);
  for (const other of ns.links.values()) {
    if (other.master === link.name) {
      other.master = null;
      other.hairpin = false;
    }
  }
  for (const otherNs of world.namespaces.values()) {
    for (const other of [...otherNs.links.values()]) {
      if (other.parentNetns === ns.path && other.parentIndex === link.index) removeLink(world, otherNs, other);
    }
  }
}

/** Per-interface sysctl keys look like net.ipv4.conf.NAME.x or net.ipv6.neigh.NAME.x. */
export function sysctlLinkName(key: string): string | null {
  const parts = key.split(".");
  if (parts.length < 5 || parts[0] !== "net" || !["ipv4", "ipv6"].includes(parts[1] ?? "")) return null;
  if (parts[2] !== "conf" && parts[2] !== "neigh") return null;
  const name = parts.slice(3, -1).join(".");
  return name === "all" || name === "default" ? null : name;
}

function dropLinkSysctls(ns: FakeNamespace, name: string): void {
  for (const key of [...ns.sysctls.keys()]) if (sysctlLinkName(key) === name) ns.sysctls.delete(key);
}

/** Moves the per-interface sysctls of `from` to `to` after a rename. */
export function renameLinkSysctls(ns: FakeNamespace, from: string, to: string): void {
  for (const [key, value] of [...ns.sysctls.entries()]) {
    if (sysctlLinkName(key) !== from) continue;
    const parts = key.split(".");
    ns.sysctls.delete(key);
    ns.sysctls.set([...parts.slice(0, 3), to, parts[parts.length - 1]].join("."), value);
  }
}
