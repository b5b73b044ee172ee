/**
 * The family headers of rtnetlink (ifinfomsg, ifaddrmsg, rtmsg) and ctnetlink (nfgenmsg),
 * plus decoders of link, address and route messages into plain objects.
 */
import { AF_INET, IFLA_ADDRESS, IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_MASTER, IFLA_MTU, IFF_UP } from "./constants.js";
import { attrString, attrU32, parseAttrs, type Attrs } from "./decode.js";

/** struct ifinfomsg (16 bytes). */
export interface IfInfoMsg {
  readonly family?: number;
  readonly type?: number;
  readonly index?: number;
  readonly flags?: number;
  readonly change?: number;
}

export function ifinfomsg(h: IfInfoMsg = {}): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(h.family ?? 0, 0);
  b.writeUInt16LE(h.type ?? 0, 2);
  b.writeInt32LE(h.index ?? 0, 4);
  b.writeUInt32LE(h.flags ?? 0, 8);
  b.writeUInt32LE(h.change ?? 0, 12);
  return b;
}

/** struct ifaddrmsg (8 bytes). */
export function ifaddrmsg(family: number, prefixLen: number, flags: number, scope: number, index: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(family, 0);
  b.writeUInt8(prefixLen, 1);
  b.writeUInt8(flags & 0xff, 2);
  b.writeUInt8(scope, 3);
  b.writeUInt32LE(index, 4);
  return b;
}

/** struct rtmsg (12 bytes). */
export interface RtMsg {
  readonly family: number;
  readonly dstLen: number;
  readonly table: number;
  readonly protocol: number;
  readonly scope: number;
  readonly type: number;
}

export function rtmsg(h: RtMsg): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(h.family, 0);
  b.writeUInt8(h.dstLen, 1);
  b.writeUInt8(h.table, 4);
  b.writeUInt8(h.protocol, 5);
  b.writeUInt8(h.scope, 6);
  b.writeUInt8(h.type, 7);
  return b;
}

/** struct nfgenmsg (4 bytes): family, version 0, resource id 0 (big endian). */
export function nfgenmsg(family: number): Buffer {
  return Buffer.from([family, 0, 0, 0]);
}

/** A link message decoded: names are resolved by the caller (master is an index here). */
export interface RawLink {
  readonly index: number;
  readonly name: string;
  readonly kind: string;
  readonly up: boolean;
  readonly mtu: number;
  readonly mac: string;
  readonly masterIndex: number | null;
  readonly parentIndex: number | null;
  readonly attrs: Attrs;
}

export function decodeLink(payload: Buffer): RawLink {
  const attrs = parseAttrs(payload.subarray(16));
  const linkinfo = attrs.get(IFLA_LINKINFO);
  const mac = attrs.get(IFLA_ADDRESS);
  return {
    index: payload.readInt32LE(4),
    name: attrString(attrs, IFLA_IFNAME) ?? "",
    kind: linkinfo ? (attrString(parseAttrs(linkinfo), IFLA_INFO_KIND) ?? "") : "",
    up: (payload.readUInt32LE(8) & IFF_UP) !== 0,
    mtu: attrU32(attrs, IFLA_MTU) ?? 0,
    mac: mac && mac.length === 6 ? [...mac].map((x) => x.toString(16).padStart(2, "0")).join(":") : "",
    masterIndex: attrU32(attrs, IFLA_MASTER) ?? null,
    parentIndex: attrU32(attrs, IFLA_LINK) ?? null,
    attrs,
  };
}

/** Fields of an ifaddrmsg plus its attributes. */
export interface RawAddress {
  readonly family: number;
  readonly prefixLen: number;
  readonly scope: number;
  readonly index: number;
  readonly attrs: Attrs;
}

export function decodeAddress(payload: Buffer): RawAddress {
  return {
    family: payload.readUInt8(0),
    prefixLen: payload.readUInt8(1),
    scope: payload.readUInt8(3),
    index: payload.readUInt32LE(4),
    attrs: parseAttrs(payload.subarray(8)),
  };
}

/** Fields of an rtmsg plus its attributes. */
export interface RawRoute extends RtMsg {
  readonly attrs: Attrs;
}

export function decodeRoute(payload: Buffer): RawRoute {
  return {
    family: payload.readUInt8(0),
    dstLen: payload.readUInt8(1),
    table: payload.readUInt8(4),
    protocol: payload.readUInt8(5),
    scope: payload.readUInt8(6),
    type: payload.readUInt8(7),
    attrs: parseAttrs(payload.subarray(12)),
  };
}

/** Renders raw address bytes (4 or 16) as text. */
export function addressText(family: number, bytes: Buffer): string {
  if (family === AF_INET) return [...bytes.subarray(0, 4)].join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(":");
  return `${groups.slice(0, bestStart).join(":")}::${groups.slice(bestStart + bestLen).join(":")}`;
}
