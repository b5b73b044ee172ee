import type { BridgeSpec, ChildLinkSpec, DummySpec, LinkChanges, LinkInfo, LinksApi, NetnsPath, VethSpec } from "@netd/driverapi";
import { removeLink, renameLinkSysctls } from "./cascade.js";
import { fail, refused } from "./errors.js";
import { linkInfo, macFor, type FakeLink, type FakeNamespace, type FakeWorld, type SyncApi } from "./state.js";
import { checkLinkName, checkMac, checkMtu } from "./validate.js";

const MODES: Record<ChildLinkSpec["kind"], readonly string[]> = {
  ipvlan: ["l2", "l3", "l3s"],
  macvlan: ["bridge", "private", "vepa", "passthru", "source"],
  vlan: [],
};
/** Linux defaults when no mode is given. */
const DEFAULT_MODE: Record<ChildLinkSpec["kind"], string | null> = { ipvlan: "l3", macvlan: "vepa", vlan: null };

const IPVLAN_FLAGS: readonly string[] = ["bridge", "private", "vepa"];

/**
 * Builds the LinksApi over `world`. Every method validates everything before changing anything.
 * Link kinds in `missingKinds` fail with LINK_KIND_UNSUPPORTED, as on a kernel without their module.
 */
export function createLinks(world: FakeWorld, missingKinds: readonly string[] = []): SyncApi<LinksApi> {
  const requireKind = (kind: string, name: string): void => {
    if (missingKinds.includes(kind)) {
      throw fail("LINK_KIND_UNSUPPORTED", `cannot create ${kind} link ${name}: the kernel has no ${kind} driver (module ${kind} not available)`, `use a kernel with ${kind} support`, { kind });
    }
  };
  const fresh = (name: string, kind: string, opts: { mtu?: number; mac?: string; up?: boolean }): FakeLink => {
    const index = world.allocIndex();
    return {
      index,
      name,
      kind,
      up: opts.up ?? false,
      mtu: opts.mtu ?? 1500,
      mac: opts.mac ?? macFor(index),
      master: null,
      parentIndex: null,
      parentNetns: null,
      hairpin: false,
      mode: null,
      flag: null,
      vlanId: null,
    };
  };
  const checkFree = (ns: FakeNamespace, name: string): void => {
    if (ns.links.has(name)) {
      throw fail("LINK_EXISTS", `link '${name}' already exists in ${ns.path}`, `pick another name or delete '${name}' first`, { netns: ns.path, link: name });
    }
  };
  const checkMaster = (ns: FakeNamespace, link: FakeLink | null, master: string): FakeLink => {
    const bridge = world.link(ns, master, "master");
    if (bridge.kind !== "bridge") {
      throw refused(95, `master '${master}' in ${ns.path} is a ${bridge.kind || "plain"} link, not a bridge`, "enslave ports to a bridge in the same namespace");
    }
    if (link && (link.kind === "bridge" || link.name === "lo")) {
      throw refused(link.kind === "bridge" ? 40 : 22, `'${link.name}' cannot be a port of bridge '${master}'`, "only non-bridge devices other than lo can be bridge ports");
    }
    return bridge;
  };

  return {
    addBridge(netns: NetnsPath, spec: BridgeSpec): LinkInfo {
      const ns = world.ns(netns);
      const name = checkLinkName(spec.name);
      const mtu = spec.mtu === undefined ? undefined : checkMtu(spec.mtu);
      const mac = spec.mac === undefined ? undefined : checkMac(spec.mac);
      checkFree(ns, name);
      const link = fresh(name, "bridge", { mtu, mac, up: spec.up ?? false });
      ns.links.set(name, link);
      return linkInfo(link);
    },

    addVeth(netns: NetnsPath, spec: VethSpec): LinkInfo {
      const ns = world.ns(netns);
      const name = checkLinkName(spec.name);
      const peerName = checkLinkName(spec.peer?.name, "peer name");
      const peerNs = world.ns(spec.peer.netns);
      const opts = {
        mtu: spec.mtu === undefined ? undefined : checkMtu(spec.mtu),
        mac: spec.mac === undefined ? undefined : checkMac(spec.mac),
      };
      const peerOpts = {
        mtu: spec.peer.mtu === undefined ? opts.mtu : checkMtu(spec.peer.mtu),
        mac: spec.peer.mac === undefined ? undefined : checkMac(spec.peer.mac),
      };
      if (peerNs === ns && peerName === name) {
        throw fail("LINK_EXISTS", `veth '${name}' and its peer cannot share a name in ${ns.path}`, "give the peer another name");
      }
      checkFree(ns, name);
      checkFree(peerNs, peerName);
      if (spec.master !== undefined) checkMaster(ns, null, checkLinkName(spec.master, "master"));
      const host = fresh(name, "veth", { ...opts, up: spec.up ?? spec.master !== undefined });
      const peer = fresh(peerName, "veth", peerOpts);
      host.parentIndex = peer.index;
      host.parentNetns = peerNs.path;
      peer.parentIndex = host.index;
      peer.parentNetns = ns.path;
      host.master = spec.master ?? null;
      ns.links.set(name, host);
      peerNs.links.set(peerName, peer);
      return linkInfo(host);
    },

    addChild(netns: NetnsPath, spec: ChildLinkSpec): LinkInfo {
      const ns = world.ns(netns);
      const name = checkLinkName(spec.name);
      const kind = spec.kind;
      if (!Object.hasOwn(MODES, kind)) {
        throw fail("INVALID_LINK_MODE", `link kind ${JSON.stringify(kind)} is not supported`, "use ipvlan, macvlan or vlan");
      }
      if (spec.mode !== undefined && !MODES[kind].includes(spec.mode)) {
        const allowed = MODES[kind].length ? `use one of ${MODES[kind].join(", ")}` : "vlan links take no mode";
        throw fail("INVALID_LINK_MODE", `${kind} mode ${JSON.stringify(spec.mode)} is invalid`, allowed);
      }
      if (kind === "vlan" && (!Number.isInteger(spec.vlanId) || (spec.vlanId ?? 0) < 1 || (spec.vlanId ?? 0) > 4094)) {
        throw fail("INVALID_VLAN_ID", `VLAN id ${String(spec.vlanId)} is invalid`, "use an integer between 1 and 4094");
      }
      if (spec.flag !== undefined && (kind !== "ipvlan" || !IPVLAN_FLAGS.includes(spec.flag))) {
        const allowed = kind === "ipvlan" ? `use one of ${IPVLAN_FLAGS.join(", ")}` : "drop flag";
        throw fail("INVALID_LINK_MODE", `${kind} flag ${JSON.stringify(spec.flag)} is invalid`, allowed);
      }
      if (kind !== "vlan" && spec.vlanId !== undefined) {
        throw fail("INVALID_VLAN_ID", `vlanId is only valid for vlan links, not ${kind}`, "drop vlanId");
      }
      const parent = world.link(ns, checkLinkName(spec.parent, "parent"), "parent");
      if (parent.name === "lo") throw refused(22, `lo cannot be the parent of ${kind} '${name}'`, "use a physical or dummy link");
      const mtu = spec.mtu === undefined ? parent.mtu : checkMtu(spec.mtu);
      if (mtu > parent.mtu) {
        throw refused(22, `MTU ${mtu} of ${kind} '${name}' exceeds its parent '${parent.name}' (${parent.mtu})`, `use at most ${parent.mtu}`);
      }
      const mac = spec.mac === undefined ? undefined : checkMac(spec.mac);
      const target = spec.netns === undefined ? ns : world.ns(spec.netns);
      checkFree(target, name);
      requireKind(kind, name);
      const link = fresh(name, kind, { mtu, mac });
      link.parentIndex = parent.index;
      link.parentNetns = ns.path;
      link.mode = spec.mode ?? DEFAULT_MODE[kind];
      link.flag = kind === "ipvlan" ? (spec.flag ?? "bridge") : null;
      link.vlanId = kind === "vlan" ? (spec.vlanId ?? null) : null;
      target.links.set(name, link);
      return linkInfo(link);
    },

    addDummy(netns: NetnsPath, spec: DummySpec): LinkInfo {
      const ns = world.ns(netns);
      const name = checkLinkName(spec.name);
      const mtu = spec.mtu === undefined ? undefined : checkMtu(spec.mtu);
      checkFree(ns, name);
      requireKind("dummy", name);
      const link = fresh(name, "dummy", { mtu, up: spec.up ?? false });
      ns.links.set(name, link);
      return linkInfo(link);
    },

    set(netns: NetnsPath, name: string, changes: LinkChanges): void {
      const ns = world.ns(netns);
      const link = world.link(ns, checkLinkName(name));
      const mtu = changes.mtu === undefined ? undefined : checkMtu(changes.mtu);
      const mac = changes.mac === undefined ? undefined : checkMac(changes.mac);
      if (typeof changes.master === "string") {
        if (changes.master === name) throw refused(40, `'${name}' cannot be its own master`, "name another bridge");
        checkMaster(ns, link, checkLinkName(changes.master, "master"));
      }
      const newName = changes.name === undefined || changes.name === link.name ? undefined : checkLinkName(changes.name);
      if (newName !== undefined) {
        checkFree(ns, newName);
        // Like Linux: a device that is up refuses a new name (EBUSY), even if the same request downs it.
        if (link.up) throw refused(16, `cannot rename '${name}' to '${newName}' while it is up`, `set '${name}' down first`);
        if (link.name === "lo") throw refused(16, "lo cannot be renamed", "rename another link");
      }
      const masterAfter = changes.master === undefined ? link.master : changes.master;
      if (changes.hairpin !== undefined && masterAfter === null) {
        throw refused(95, `hairpin needs '${name}' to be a bridge port`, "set master to a bridge first (or in the same call)");
      }
      if (mtu !== undefined) link.mtu = mtu;
      if (mac !== undefined) link.mac = mac;
      if (changes.master !== undefined) {
        link.master = changes.master;
        if (changes.master === null) link.hairpin = false;
      }
      if (changes.hairpin !== undefined) link.hairpin = changes.hairpin;
      if (newName !== undefined) rename(ns, link, newName);
      if (changes.up !== undefined) link.up = changes.up;
    },

    delete(netns: NetnsPath, name: string): void {
      const ns = world.ns(netns);
      const link = ns.links.get(checkLinkName(name));
      if (!link) return;
      if (link.name === "lo") throw refused(95, `lo cannot be deleted from ${ns.path}`, "delete the namespace instead");
      if (link.kind === "bridge") {
        const ports = [...ns.links.values()].filter((l) => l.master === link.name).map((l) => l.name);
        if (ports.length > 0) {
          throw fail("BRIDGE_HAS_PORTS", `bridge '${name}' in ${ns.path} still has ports: ${ports.join(", ")}`, "delete or release its ports (set master null) before the bridge", { ports });
        }
      }
      removeLink(world, ns, link);
    },

    get(netns: NetnsPath, name: string): LinkInfo | null {
      const link = world.ns(netns).links.get(checkLinkName(name));
      return link ? linkInfo(link) : null;
    },

    list(netns: NetnsPath): LinkInfo[] {
      return [...world.ns(netns).links.values()].sort((a, b) => a.index - b.index).map(linkInfo);
    },
  };
}

function rename(ns: FakeNamespace, link: FakeLink, to: string): void {
  const from = link.name;
  ns.links.delete(from);
  link.name = to;
  ns.links.set(to, link);
  for (const a of ns.addresses) if (a.link === from) a.link = to;
  for (const r of ns.routes) if (r.dev === from) r.dev = to;
  for (const l of ns.links.values()) if (l.master === from) l.master = to;
  renameLinkSysctls(ns, from, to);
}
