/**
 * Links: bridges, veth pairs whose peer is born inside the target namespace, ipvlan /
 * macvlan / vlan children, attribute changes, deletion and reads.
 */
import { isNetdError } from "@netd/driverapi";
import type { BridgeSpec, ChildLinkSpec, DummySpec, LinkChanges, LinkInfo, LinksApi, VethSpec } from "@netd/driverapi";
import { check, getLinkByIndex, getLinkByName, linkFromReply, requireLink, route, type LinuxContext } from "./context.js";
import { kernelError, type OpContext } from "./errors.js";
import { validateIfName, validateMac, validateMtu, validateNetnsPath, validateVlanId } from "./validate.js";
import * as c from "./rtnetlink/constants.js";
import { attr, attrString, attrU16, attrU32, attrU8, macBytes, message, nested } from "./rtnetlink/encode.js";
import { decodeLink, ifinfomsg, type RawLink } from "./rtnetlink/messages.js";

const CREATE = c.NLM_F_REQUEST | c.NLM_F_ACK | c.NLM_F_CREATE | c.NLM_F_EXCL;
const EXISTS = { 17: "LINK_EXISTS", 19: "LINK_NOT_FOUND", 95: "LINK_KIND_UNSUPPORTED" } as const;

/** Common attributes of a new link: name, MTU, MAC. */
function baseAttrs(name: string, mtu?: number, mac?: string): Buffer[] {
  const attrs = [attrString(c.IFLA_IFNAME, name)];
  if (mtu !== undefined) attrs.push(attrU32(c.IFLA_MTU, mtu));
  if (mac !== undefined) attrs.push(attr(c.IFLA_ADDRESS, macBytes(mac)));
  return attrs;
}

function upHeader(up: boolean | undefined): Buffer {
  return ifinfomsg(up ? { flags: c.IFF_UP, change: c.IFF_UP } : {});
}

/**
 * The RTM_NEWLINK request of a veth whose peer is created inside the namespace open as
 * `peerNsFd`; the host end is enslaved to `masterIndex` and brought up when asked. Pure, so
 * that its bytes can be compared with a golden copy.
 */
export function vethRequest(spec: VethSpec, peerNsFd: number, masterIndex?: number): Buffer {
  const peerAttrs = [attrString(c.IFLA_IFNAME, spec.peer.name), attrU32(c.IFLA_NET_NS_FD, peerNsFd)];
  if (spec.peer.mtu !== undefined) peerAttrs.push(attrU32(c.IFLA_MTU, spec.peer.mtu));
  if (spec.peer.mac !== undefined) peerAttrs.push(attr(c.IFLA_ADDRESS, macBytes(spec.peer.mac)));
  // VETH_INFO_PEER holds an ifinfomsg before its attributes, so it is not a plain nest.
  const peer = attr(c.VETH_INFO_PEER, Buffer.concat([ifinfomsg(), ...peerAttrs]));
  const attrs = baseAttrs(spec.name, spec.mtu, spec.mac);
  if (masterIndex !== undefined) attrs.push(attrU32(c.IFLA_MASTER, masterIndex));
  attrs.push(nested(c.IFLA_LINKINFO, [attrString(c.IFLA_INFO_KIND, "veth"), nested(c.IFLA_INFO_DATA, [peer])]));
  return message(c.RTM_NEWLINK, CREATE, upHeader(spec.up), attrs);
}

function childData(spec: ChildLinkSpec): Buffer[] {
  if (spec.flag !== undefined && spec.kind !== "ipvlan") {
    throw kernelError("INVALID_LINK_MODE", `flag ${JSON.stringify(spec.flag)} is only valid for ipvlan links, not ${spec.kind}`, "drop flag", { value: spec.flag });
  }
  if (spec.kind === "vlan") return [attrU16(c.IFLA_VLAN_ID, validateVlanId(spec.vlanId))];
  const data: Buffer[] = [];
  if (spec.mode !== undefined) {
    const modes = spec.kind === "macvlan" ? c.MACVLAN_MODES : c.IPVLAN_MODES;
    const mode = modes[spec.mode];
    if (mode === undefined) {
      throw kernelError("INVALID_LINK_MODE", `${spec.kind} mode ${JSON.stringify(spec.mode)} is unknown`, `use one of ${Object.keys(modes).join(", ")}`, { value: spec.mode });
    }
    data.push(spec.kind === "macvlan" ? attrU32(c.IFLA_MACVLAN_MODE, mode) : attrU16(c.IFLA_IPVLAN_MODE, mode));
  }
  if (spec.flag !== undefined) {
    const flag = c.IPVLAN_FLAGS[spec.flag];
    if (flag === undefined) {
      throw kernelError("INVALID_LINK_MODE", `ipvlan flag ${JSON.stringify(spec.flag)} is unknown`, `use one of ${Object.keys(c.IPVLAN_FLAGS).join(", ")}`, { value: spec.flag });
    }
    data.push(attrU16(c.IFLA_IPVLAN_FLAGS, flag));
  }
  return data;
}

/** The Linux implementation of {@link LinksApi}. */
export function createLinks(ctx: LinuxContext): LinksApi {
  /** `names` (index → name) saves a GETLINK for the master's name when it is known. */
  async function toInfo(netns: string, raw: RawLink, names?: Map<number, string>): Promise<LinkInfo> {
    let master: string | null = null;
    if (raw.masterIndex !== null) {
      master = names?.get(raw.masterIndex) ?? null;
      if (names === undefined) {
        const sock = await route(ctx, netns);
        const [reply] = await sock.request([getLinkByIndex(raw.masterIndex)]);
        master = linkFromReply(reply!, { op: "get link", names: [raw.name], netns })?.name ?? null;
      }
    }
    const { attrs: _attrs, masterIndex: _m, ...rest } = raw;
    return { ...rest, master };
  }

  async function createAndRead(netns: string, request: Buffer, name: string, op: OpContext, names?: Map<number, string>): Promise<LinkInfo> {
    const sock = await route(ctx, netns);
    // The GETLINK rides in the same datagram; it only reads, so it is harmless if the create fails.
    const [created, read] = await sock.request([request, getLinkByName(name)]);
    check(created!, op);
    const raw = linkFromReply(read!, op);
    if (raw === null) throw kernelError("KERNEL_ERROR", `link ${name} vanished right after it was created in ${netns}`);
    return toInfo(netns, raw, raw.masterIndex !== null && names?.has(raw.masterIndex) ? names : undefined);
  }

  return {
    async addBridge(netns, spec: BridgeSpec) {
      validateNetnsPath(netns);
      validateIfName(spec.name, "bridge name");
      if (spec.mtu !== undefined) validateMtu(spec.mtu);
      const mac = spec.mac === undefined ? undefined : validateMac(spec.mac);
      const attrs = [...baseAttrs(spec.name, spec.mtu, mac), nested(c.IFLA_LINKINFO, [attrString(c.IFLA_INFO_KIND, "bridge")])];
      const op: OpContext = { op: "add bridge", names: [spec.name], netns, codes: EXISTS };
      return createAndRead(netns, message(c.RTM_NEWLINK, CREATE, upHeader(spec.up), attrs), spec.name, op);
    },

    async addVeth(netns, spec: VethSpec) {
      validateNetnsPath(netns);
      validateIfName(spec.name, "veth name");
      validateIfName(spec.peer?.name, "veth peer name");
      validateNetnsPath(spec.peer.netns);
      if (spec.master !== undefined) validateIfName(spec.master, "master name");
      for (const m of [spec.mtu, spec.peer.mtu]) if (m !== undefined) validateMtu(m);
      const checked: VethSpec = {
        ...spec,
        mac: spec.mac === undefined ? undefined : validateMac(spec.mac),
        peer: { ...spec.peer, mac: spec.peer.mac === undefined ? undefined : validateMac(spec.peer.mac) },
      };
      const op: OpContext = { op: "add veth", names: [spec.name, spec.peer.name], extra: `peer ${spec.peer.name} in ${spec.peer.netns}`, netns, codes: EXISTS };
      const sock = await route(ctx, netns);
      const master = spec.master === undefined ? undefined : (await requireLink(sock, spec.master, "master", op)).index;
      const known = master === undefined ? undefined : new Map([[master, spec.master!]]);
      return ctx.sockets.withNsFd(spec.peer.netns, (peerFd) => createAndRead(netns, vethRequest(checked, peerFd, master), spec.name, op, known));
    },

    async addChild(netns, spec: ChildLinkSpec) {
      validateNetnsPath(netns);
      validateIfName(spec.name, `${spec.kind} name`);
      validateIfName(spec.parent, "parent name");
      if (!["ipvlan", "macvlan", "vlan"].includes(spec.kind)) {
        throw kernelError("INVALID_LINK_MODE", `link kind ${JSON.stringify(spec.kind)} is not a child kind`, "use ipvlan, macvlan or vlan");
      }
      if (spec.mtu !== undefined) validateMtu(spec.mtu);
      const mac = spec.mac === undefined ? undefined : validateMac(spec.mac);
      if (spec.netns !== undefined) validateNetnsPath(spec.netns);
      const data = childData(spec);
      const target = spec.netns ?? netns;
      const op: OpContext = { op: `add ${spec.kind}`, names: [spec.name, spec.parent], extra: `parent ${spec.parent}${spec.netns ? `, created in ${spec.netns}` : ""}`, netns, codes: EXISTS };
      const sock = await route(ctx, netns);
      const parent = await requireLink(sock, spec.parent, "parent", op);
      const attrs = [...baseAttrs(spec.name, spec.mtu, mac), attrU32(c.IFLA_LINK, parent.index)];
      const info = [attrString(c.IFLA_INFO_KIND, spec.kind)];
      if (data.length > 0) info.push(nested(c.IFLA_INFO_DATA, data));
      attrs.push(nested(c.IFLA_LINKINFO, info));
      const send = (nsFd?: number) => sock.request([message(c.RTM_NEWLINK, CREATE, ifinfomsg(), nsFd === undefined ? attrs : [...attrs, attrU32(c.IFLA_NET_NS_FD, nsFd)])]);
      const [reply] = spec.netns === undefined ? await send() : await ctx.sockets.withNsFd(spec.netns, send);
      check(reply!, { ...op, hint: reply!.status.errno === 95 ? `the kernel has no ${spec.kind} driver (module ${spec.kind} not available); use another network driver` : undefined });
      const info2 = await this.get(target, spec.name);
      if (info2 === null) throw kernelError("KERNEL_ERROR", `link ${spec.name} vanished right after it was created in ${target}`);
      return info2;
    },

    async addDummy(netns, spec: DummySpec) {
      validateNetnsPath(netns);
      validateIfName(spec.name, "dummy name");
      if (spec.mtu !== undefined) validateMtu(spec.mtu);
      const attrs = [...baseAttrs(spec.name, spec.mtu), nested(c.IFLA_LINKINFO, [attrString(c.IFLA_INFO_KIND, "dummy")])];
      const op: OpContext = { op: "add dummy", names: [spec.name], netns, codes: EXISTS };
      try {
        return await createAndRead(netns, message(c.RTM_NEWLINK, CREATE, upHeader(spec.up), attrs), spec.name, op);
      } catch (e) {
        if (isNetdError(e) && e.code === "LINK_KIND_UNSUPPORTED") {
          throw kernelError("LINK_KIND_UNSUPPORTED", `cannot create dummy link ${spec.name}: the kernel has no dummy driver (module dummy not available)`, "use a kernel with CONFIG_DUMMY, or give the network a parent", { op: "add dummy", netns }, e);
        }
        throw e;
      }
    },

    async set(netns, name, changes: LinkChanges) {
      validateNetnsPath(netns);
      validateIfName(name);
      if (changes.master != null) validateIfName(changes.master, "master name");
      if (changes.mtu !== undefined) validateMtu(changes.mtu);
      const mac = changes.mac === undefined ? undefined : validateMac(changes.mac);
      if (changes.name !== undefined) validateIfName(changes.name, "new name");
      const op: OpContext = { op: "set link", names: [name], netns, codes: EXISTS };
      const sock = await route(ctx, netns);
      // RTM_SETLINK finds the link by IFLA_IFNAME when the index is 0, saving a lookup;
      // a rename (IFLA_IFNAME is then the new name) and AF_BRIDGE requests need the index.
      const needIndex = changes.name !== undefined || changes.hairpin !== undefined;
      const index = needIndex ? (await requireLink(sock, name, "link", op)).index : 0;
      const masterIndex = changes.master == null ? 0 : (await requireLink(sock, changes.master, "master", op)).index;
      const attrs: Buffer[] = [];
      if (!needIndex) attrs.push(attrString(c.IFLA_IFNAME, name));
      if (changes.mtu !== undefined) attrs.push(attrU32(c.IFLA_MTU, changes.mtu));
      if (mac !== undefined) attrs.push(attr(c.IFLA_ADDRESS, macBytes(mac)));
      if (changes.name !== undefined) attrs.push(attrString(c.IFLA_IFNAME, changes.name));
      if (changes.master !== undefined) attrs.push(attrU32(c.IFLA_MASTER, masterIndex));
      const header = changes.up === undefined ? ifinfomsg({ index }) : ifinfomsg({ index, flags: changes.up ? c.IFF_UP : 0, change: c.IFF_UP });
      const requests = [message(c.RTM_SETLINK, c.NLM_F_REQUEST | c.NLM_F_ACK, header, attrs)];
      if (changes.hairpin !== undefined) {
        // Bridge-port flags go through the AF_BRIDGE handler, after the master change above.
        const protinfo = nested(c.IFLA_PROTINFO, [attrU8(c.IFLA_BRPORT_MODE, changes.hairpin ? 1 : 0)]);
        requests.push(message(c.RTM_SETLINK, c.NLM_F_REQUEST | c.NLM_F_ACK, ifinfomsg({ family: c.AF_BRIDGE, index }), [protinfo]));
      }
      const replies = await sock.request(requests);
      check(replies[0]!, op);
      if (replies[1]) check(replies[1], { ...op, op: "set hairpin on", hint: `${name} must be a bridge port (set master first)` });
    },

    async delete(netns, name) {
      validateNetnsPath(netns);
      validateIfName(name);
      const sock = await route(ctx, netns);
      const [reply] = await sock.request([message(c.RTM_DELLINK, c.NLM_F_REQUEST | c.NLM_F_ACK, ifinfomsg(), [attrString(c.IFLA_IFNAME, name)])]);
      check(reply!, { op: "delete link", names: [name], netns }, [19]);
    },

    async get(netns, name) {
      validateNetnsPath(netns);
      validateIfName(name);
      const sock = await route(ctx, netns);
      const [reply] = await sock.request([getLinkByName(name)]);
      const raw = linkFromReply(reply!, { op: "get link", names: [name], netns });
      return raw === null ? null : toInfo(netns, raw);
    },

    async list(netns) {
      validateNetnsPath(netns);
      const sock = await route(ctx, netns);
      const [reply] = await sock.request([message(c.RTM_GETLINK, c.NLM_F_REQUEST | c.NLM_F_DUMP, ifinfomsg(), [attrU32(c.IFLA_EXT_MASK, c.RTEXT_FILTER_SKIP_STATS)])]);
      check(reply!, { op: "list links", names: [], netns });
      const raws = reply!.messages.filter((m) => m.type === c.RTM_NEWLINK).map((m) => decodeLink(m.payload));
      const names = new Map(raws.map((r) => [r.index, r.name]));
      return Promise.all(raws.map((r) => toInfo(netns, r, names)));
    },
  };
}

/** Index → name of every link in `netns` (for address and route listings). */
export async function linkNames(ctx: LinuxContext, netns: string): Promise<Map<number, string>> {
  const sock = await route(ctx, netns);
  const [reply] = await sock.request([message(c.RTM_GETLINK, c.NLM_F_REQUEST | c.NLM_F_DUMP, ifinfomsg(), [attrU32(c.IFLA_EXT_MASK, c.RTEXT_FILTER_SKIP_STATS)])]);
  check(reply!, { op: "list links", names: [], netns });
  return new Map(reply!.messages.filter((m) => m.type === c.RTM_NEWLINK).map((m) => {
    const l = decodeLink(m.payload);
    return [l.index, l.name] as const;
  }));
}
