/**
 * Conntrack deletion over NETLINK_NETFILTER (ctnetlink): one dump of the family's
 * entries, filtered here, then one IPCTNL_MSG_CT_DELETE per match (by original tuple and
 * entry id, so a recycled tuple is never hit), batched into few datagrams.
 */
import type { ConntrackApi, ConntrackFilter } from "@netd/driverapi";
import { NETLINK_NETFILTER } from "@netd/netlink-native";
import { check, type LinuxContext } from "./context.js";
import { kernelError, type OpContext } from "./errors.js";
import { validateIp, validateNetnsPath } from "./validate.js";
import * as c from "./rtnetlink/constants.js";
import { parseAttrs } from "./rtnetlink/decode.js";
import { attr, message } from "./rtnetlink/encode.js";
import { nfgenmsg } from "./rtnetlink/messages.js";

const CT = c.NFNL_SUBSYS_CTNETLINK << 8;
const BATCH = 64;

/** A filter after validation, with addresses as bytes. */
export interface CheckedFilter {
  readonly af: number;
  readonly proto: number;
  readonly origDst: Buffer | undefined;
  readonly origDstPort: number | undefined;
  readonly replySrc: Buffer | undefined;
}

export function checkFilter(f: ConntrackFilter): CheckedFilter {
  if (f.family !== 4 && f.family !== 6) throw kernelError("INVALID_ADDRESS", `conntrack family ${String(f.family)} is not 4 or 6`);
  const proto = c.IP_PROTOCOLS[f.protocol];
  if (proto === undefined) throw kernelError("INVALID_ADDRESS", `conntrack protocol ${JSON.stringify(f.protocol)} is not tcp, udp or sctp`);
  const port = f.origDstPort;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw kernelError("INVALID_ADDRESS", `conntrack port ${String(port)} is not 1-65535`);
  }
  return {
    af: f.family === 4 ? c.AF_INET : c.AF_INET6,
    proto,
    origDst: f.origDst === undefined ? undefined : validateIp(f.origDst, "origDst", f.family).bytes,
    origDstPort: port,
    replySrc: f.replySrc === undefined ? undefined : validateIp(f.replySrc, "replySrc", f.family).bytes,
  };
}

/** The delete request for one dumped entry, or null when it does not match. */
export function matchEntry(payload: Buffer, f: CheckedFilter): Buffer | null {
  const attrs = parseAttrs(payload.subarray(4));
  const orig = attrs.get(c.CTA_TUPLE_ORIG);
  const reply = attrs.get(c.CTA_TUPLE_REPLY);
  if (!orig || !reply) return null;
  const o = parseAttrs(orig);
  const oIp = parseAttrs(o.get(c.CTA_TUPLE_IP) ?? Buffer.alloc(0));
  const oProto = parseAttrs(o.get(c.CTA_TUPLE_PROTO) ?? Buffer.alloc(0));
  const rIp = parseAttrs(parseAttrs(reply).get(c.CTA_TUPLE_IP) ?? Buffer.alloc(0));
  const v4 = f.af === c.AF_INET;
  if (oProto.get(c.CTA_PROTO_NUM)?.[0] !== f.proto) return null;
  if (f.origDst && !oIp.get(v4 ? c.CTA_IP_V4_DST : c.CTA_IP_V6_DST)?.equals(f.origDst)) return null;
  if (f.replySrc && !rIp.get(v4 ? c.CTA_IP_V4_SRC : c.CTA_IP_V6_SRC)?.equals(f.replySrc)) return null;
  if (f.origDstPort !== undefined && oProto.get(c.CTA_PROTO_DST_PORT)?.readUInt16BE(0) !== f.origDstPort) return null;
  const out = [attr(c.CTA_TUPLE_ORIG | c.NLA_F_NESTED, orig)];
  const id = attrs.get(c.CTA_ID);
  if (id) out.push(attr(c.CTA_ID, id));
  const zone = attrs.get(c.CTA_ZONE);
  if (zone) out.push(attr(c.CTA_ZONE, zone));
  return message(CT | c.IPCTNL_MSG_CT_DELETE, c.NLM_F_REQUEST | c.NLM_F_ACK, nfgenmsg(f.af), out);
}

/** The Linux implementation of {@link ConntrackApi}. */
export function createConntrack(ctx: LinuxContext): ConntrackApi {
  return {
    async delete(netns, filter) {
      validateNetnsPath(netns);
      const f = checkFilter(filter);
      const op: OpContext = { op: "delete conntrack entries", names: [`${filter.protocol}/${filter.family}`], netns };
      const sock = await ctx.sockets.get(netns, NETLINK_NETFILTER);
      const [dump] = await sock.request([message(CT | c.IPCTNL_MSG_CT_GET, c.NLM_F_REQUEST | c.NLM_F_DUMP, nfgenmsg(f.af))]);
      check(dump!, op);
      const deletes = dump!.messages.map((m) => matchEntry(m.payload, f)).filter((m): m is Buffer => m !== null);
      let deleted = 0;
      for (let i = 0; i < deletes.length; i += BATCH) {
        const replies = await sock.request(deletes.slice(i, i + BATCH));
        // ENOENT: the entry expired or was deleted by someone else meanwhile.
        for (const r of replies) if (check(r, op, [2])) deleted++;
      }
      return deleted;
    },
  };
}
