/**
 * Element text (as rendered with the nft template: `10.0.0.2 . tcp . 8080 : 10.0.0.2 . 80`,
 * `"br-1" : jump fwd_to__br-1`) to NFTA_LIST_ELEM attributes for a set of a known shape.
 * Anything this does not recognise returns null and the caller leaves the change to
 * libnftables, so the fast path never guesses.
 */
import { parseIPv4, parseIPv6 } from "../ip-text.js";
import { IP_PROTOCOLS } from "../rtnetlink/constants.js";
import { attr, attrString, nested } from "../rtnetlink/encode.js";
import * as k from "./constants.js";
import { FIELD_LEN, type FieldType, type SetShape } from "./set-info.js";

const PROTOCOLS: Readonly<Record<string, number>> = { ...IP_PROTOCOLS, icmp: 1, icmpv6: 58 };
const VERDICTS: Readonly<Record<string, number>> = { accept: k.NF_ACCEPT, drop: k.NF_DROP, continue: k.NFT_CONTINUE, return: k.NFT_RETURN };
const CHAIN = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;

/** One field's value bytes, or null when the text is not a plain value of that type. */
export function fieldBytes(type: FieldType, text: string): Buffer | null {
  switch (type) {
    case "ipv4_addr":
      return parseIPv4(text);
    case "ipv6_addr":
      // Embedded IPv4 and zone ids are left to libnftables.
      return text.includes(".") ? null : parseIPv6(text);
    case "inet_proto": {
      const n = PROTOCOLS[text] ?? (/^\d{1,3}$/.test(text) ? Number(text) : -1);
      return n >= 0 && n <= 255 ? Buffer.from([n]) : null;
    }
    case "inet_service": {
      if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) return null;
      const b = Buffer.alloc(2);
      b.writeUInt16BE(Number(text));
      return b;
    }
    case "ifname": {
      const m = /^"([A-Za-z0-9_.:@-]{1,15})"$/.exec(text);
      if (!m) return null;
      const b = Buffer.alloc(FIELD_LEN.ifname);
      b.write(m[1]!, "latin1");
      return b;
    }
  }
}

/** A key or data value: one field as is, a concatenation with each field padded to 4 bytes. */
export function valueBytes(fields: readonly FieldType[], text: string): Buffer | null {
  const parts = text.split(" . ").map((p) => p.trim());
  if (parts.length !== fields.length) return null;
  const bytes = parts.map((p, i) => fieldBytes(fields[i]!, p));
  if (bytes.some((b) => b === null)) return null;
  if (bytes.length === 1) return bytes[0]!;
  return Buffer.concat(bytes.map((b) => Buffer.concat([b!, Buffer.alloc(((b!.length + 3) & ~3) - b!.length)])));
}

function verdictData(text: string): Buffer | null {
  const [word, chain, extra] = text.split(" ");
  const code = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return b;
  };
  if (extra !== undefined) return null;
  if ((word === "jump" || word === "goto") && chain !== undefined && CHAIN.test(chain)) {
    return nested(k.NFTA_DATA_VERDICT, [attr(k.NFTA_VERDICT_CODE, code(word === "jump" ? k.NFT_JUMP : k.NFT_GOTO)), attrString(k.NFTA_VERDICT_CHAIN, chain)]);
  }
  const v = word === undefined || chain !== undefined ? undefined : VERDICTS[word];
  return v === undefined ? null : nested(k.NFTA_DATA_VERDICT, [attr(k.NFTA_VERDICT_CODE, code(v))]);
}

/**
 * One NFTA_LIST_ELEM for `text`; `keyOnly` for a delete (the data part, if any, is ignored
 * as nft does). Null when the text is not a plain element of `shape`.
 */
export function elementAttr(shape: SetShape, text: string, keyOnly: boolean): Buffer | null {
  const sep = text.indexOf(" : ");
  const keyText = sep >= 0 ? text.slice(0, sep) : text;
  const dataText = sep >= 0 ? text.slice(sep + 3).trim() : null;
  if ((shape.data === null) !== (dataText === null) && !(keyOnly && dataText === null)) return null;
  const key = valueBytes(shape.key, keyText.trim());
  if (key === null) return null;
  const parts = [nested(k.NFTA_SET_ELEM_KEY, [attr(k.NFTA_DATA_VALUE, key)])];
  if (!keyOnly && shape.data !== null && dataText !== null) {
    const data = shape.data === "verdict" ? verdictData(dataText) : valueBytes(shape.data, dataText);
    if (data === null) return null;
    parts.push(nested(k.NFTA_SET_ELEM_DATA, [shape.data === "verdict" ? data : attr(k.NFTA_DATA_VALUE, data)]));
  }
  return nested(k.NFTA_LIST_ELEM, parts);
}
