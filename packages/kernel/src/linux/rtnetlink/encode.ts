/**
 * Encoding of netlink messages and attributes (host byte order, 4-byte alignment).
 * Sequence numbers are left 0 here and stamped by the socket when the request is sent.
 */
import { NLA_F_NESTED, NLMSG_HDRLEN } from "./constants.js";

/** Rounds up to the 4-byte netlink alignment. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One attribute: 4-byte header, payload, zero padding. */
export function attr(type: number, payload: Uint8Array): Buffer {
  const len = 4 + payload.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  out.set(payload, 4);
  return out;
}

/** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
export function attrString(type: number, value: string): Buffer {
  return attr(type, Buffer.from(`${value}\0`, "utf8"));
}

export function attrU8(type: number, value: number): Buffer {
  return attr(type, Buffer.from([value & 0xff]));
}

export function attrU16(type: number, value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value, 0);
  return attr(type, b);
}

export function attrU32(type: number, value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return attr(type, b);
}

export function attrS32(type: number, value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value, 0);
  return attr(type, b);
}

/** A nested attribute (NLA_F_NESTED set) holding already-encoded attributes. */
export function nested(type: number, children: readonly Uint8Array[]): Buffer {
  return attr(type | NLA_F_NESTED, Buffer.concat(children));
}

/**
 * A complete message: 16-byte nlmsghdr (length, type, flags, seq 0, pid 0), the family
 * header (ifinfomsg, ifaddrmsg, rtmsg, nfgenmsg) and the attributes.
 */
export function message(type: number, flags: number, header: Uint8Array, attrs: readonly Uint8Array[] = []): Buffer {
  const body = Buffer.concat([header, ...attrs]);
  const out = Buffer.alloc(NLMSG_HDRLEN + align4(body.length));
  out.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.set(body, NLMSG_HDRLEN);
  return out;
}

/** Parses a MAC "aa:bb:cc:dd:ee:ff" (already validated) into 6 bytes. */
export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(":").map((h) => parseInt(h, 16)));
}
