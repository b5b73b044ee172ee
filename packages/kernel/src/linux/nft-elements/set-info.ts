/**
 * What the element fast path must know of a set or map: its key fields and its data, read
 * from the kernel with NFT_MSG_GETSET (one small request) and cached until netd changes the
 * table again or a fast-path batch fails.
 */
import { NLM_F_ACK, NLM_F_REQUEST, NFNL_SUBSYS_NFTABLES } from "../rtnetlink/constants.js";
import { attrString as readString, parseAttrs } from "../rtnetlink/decode.js";
import { attrString, message } from "../rtnetlink/encode.js";
import { nfgenmsg } from "../rtnetlink/messages.js";
import * as k from "./constants.js";

/** One field of a key or of a map's data. */
export type FieldType = "ipv4_addr" | "ipv6_addr" | "inet_proto" | "inet_service" | "ifname";

/** A set or map the fast path can write: plain keys (no intervals, timeouts or objects). */
export interface SetShape {
  readonly key: readonly FieldType[];
  /** null: a set; "verdict": a verdict map; else the data fields of a map. */
  readonly data: null | "verdict" | readonly FieldType[];
}

const TYPES: ReadonlyMap<number, FieldType> = new Map([
  [k.TYPE_IPADDR, "ipv4_addr"],
  [k.TYPE_IP6ADDR, "ipv6_addr"],
  [k.TYPE_INET_PROTOCOL, "inet_proto"],
  [k.TYPE_INET_SERVICE, "inet_service"],
  [k.TYPE_IFNAME, "ifname"],
]);

/** Bytes of one field's value (before the 4-byte padding of a concatenation). */
export const FIELD_LEN: Readonly<Record<FieldType, number>> = { ipv4_addr: 4, ipv6_addr: 16, inet_proto: 1, inet_service: 2, ifname: 16 };

/** Length of a key or data made of `fields`: a lone field as is, concatenated ones padded to 4 bytes each. */
export function encodedLength(fields: readonly FieldType[]): number {
  if (fields.length === 1) return FIELD_LEN[fields[0]!];
  return fields.reduce((n, f) => n + ((FIELD_LEN[f] + 3) & ~3), 0);
}

/** Splits nft's packed type id (6 bits per field) into known fields; null for any other type. */
export function fieldsOf(type: number, len: number): FieldType[] | null {
  const fields: FieldType[] = [];
  for (let t = type >>> 0; t !== 0; t = Math.floor(t / (1 << k.TYPE_BITS))) {
    const f = TYPES.get(t % (1 << k.TYPE_BITS));
    if (f === undefined) return null;
    fields.unshift(f);
  }
  return fields.length > 0 && encodedLength(fields) === len ? fields : null;
}

/** NFT_MSG_GETSET for one set of a table. */
export function getSetRequest(family: number, table: string, set: string): Buffer {
  return message((NFNL_SUBSYS_NFTABLES << 8) | k.NFT_MSG_GETSET, NLM_F_REQUEST | NLM_F_ACK, nfgenmsg(family), [
    attrString(k.NFTA_SET_TABLE, table),
    attrString(k.NFTA_SET_NAME, set),
  ]);
}

const UNSUPPORTED_FLAGS = k.NFT_SET_ANONYMOUS | k.NFT_SET_INTERVAL | k.NFT_SET_TIMEOUT | k.NFT_SET_EVAL | k.NFT_SET_OBJECT | k.NFT_SET_EXPR;

/**
 * The shape of the set in a NEWSET reply's payload (after its nfgenmsg), or null when the fast
 * path cannot write it (intervals, timeouts, objects, or a type it does not know).
 */
export function parseSetShape(payload: Buffer, set: string): SetShape | null {
  const a = parseAttrs(payload.subarray(4));
  if (readString(a, k.NFTA_SET_NAME) !== set) return null;
  const u32 = (t: number): number | undefined => (a.get(t)?.length === 4 ? a.get(t)!.readUInt32BE(0) : undefined);
  const flags = u32(k.NFTA_SET_FLAGS) ?? 0;
  const keyType = u32(k.NFTA_SET_KEY_TYPE);
  const keyLen = u32(k.NFTA_SET_KEY_LEN);
  if ((flags & UNSUPPORTED_FLAGS) !== 0 || keyType === undefined || keyLen === undefined) return null;
  const key = fieldsOf(keyType, keyLen);
  if (key === null) return null;
  if ((flags & k.NFT_SET_MAP) === 0) return { key, data: null };
  const dataType = u32(k.NFTA_SET_DATA_TYPE);
  if (dataType === k.NFT_DATA_VERDICT) return { key, data: "verdict" };
  const data = dataType === undefined ? null : fieldsOf(dataType, u32(k.NFTA_SET_DATA_LEN) ?? -1);
  return data === null ? null : { key, data };
}
