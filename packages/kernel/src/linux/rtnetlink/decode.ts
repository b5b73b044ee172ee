/**
 * Decoding of netlink replies: messages out of datagrams, attributes (nested ones too),
 * and NLMSG_ERROR payloads with their extended-ack text.
 */
import {
  NLA_TYPE_MASK,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from "./constants.js";
import { align4 } from "./encode.js";

/** One decoded message; `payload` is everything after the 16-byte header. */
export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly payload: Buffer;
}

/** Splits a datagram into messages; a truncated tail is ignored. */
export function parseMessages(datagram: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= datagram.length) {
    const len = datagram.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > datagram.length) break;
    out.push({
      type: datagram.readUInt16LE(off + 4),
      flags: datagram.readUInt16LE(off + 6),
      seq: datagram.readUInt32LE(off + 8),
      pid: datagram.readUInt32LE(off + 12),
      payload: datagram.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** Attributes by type (flags masked off); for repeated types the last one wins. */
export type Attrs = Map<number, Buffer>;

/** Parses a run of attributes. */
export function parseAttrs(buf: Buffer): Attrs {
  const out: Attrs = new Map();
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    out.set(buf.readUInt16LE(off + 2) & NLA_TYPE_MASK, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return out;
}

/** A NUL-terminated string attribute, or undefined. */
export function attrString(attrs: Attrs, type: number): string | undefined {
  const b = attrs.get(type);
  if (b === undefined) return undefined;
  const nul = b.indexOf(0);
  return b.toString("utf8", 0, nul < 0 ? b.length : nul);
}

export function attrU32(attrs: Attrs, type: number): number | undefined {
  const b = attrs.get(type);
  return b !== undefined && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}

/** The outcome of one request message: errno 0 on success, with the kernel's text if any. */
export interface NlStatus {
  readonly errno: number;
  readonly kernelMessage: string | undefined;
  /** Offset of the offending attribute in the request (NLMSGERR_ATTR_OFFS), if given. */
  readonly offset: number | undefined;
}

/**
 * Decodes an NLMSG_ERROR (or NLMSG_DONE) payload. With NETLINK_CAP_ACK the original
 * message is capped to its header, so the TLVs start at 4 + 16 bytes.
 */
export function parseStatus(msg: NlMessage): NlStatus {
  if (msg.type !== NLMSG_ERROR && msg.type !== NLMSG_DONE) return { errno: 0, kernelMessage: undefined, offset: undefined };
  const code = msg.payload.length >= 4 ? msg.payload.readInt32LE(0) : 0;
  let kernelMessage: string | undefined;
  let offset: number | undefined;
  if (msg.type === NLMSG_ERROR && (msg.flags & NLM_F_ACK_TLVS) !== 0 && msg.payload.length > 4 + NLMSG_HDRLEN) {
    // An ACK echoes only the header; an error echoes the whole request unless capped.
    const capped = code === 0 || (msg.flags & NLM_F_CAPPED) !== 0;
    const echoed = capped ? NLMSG_HDRLEN : align4(msg.payload.readUInt32LE(4));
    const tlvs = parseAttrs(msg.payload.subarray(4 + echoed));
    kernelMessage = attrString(tlvs, NLMSGERR_ATTR_MSG);
    offset = attrU32(tlvs, NLMSGERR_ATTR_OFFS);
  }
  return { errno: code < 0 ? -code : code, kernelMessage: kernelMessage || undefined, offset };
}
