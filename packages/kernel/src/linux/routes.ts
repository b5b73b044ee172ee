/** Routes (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE), in the main table unless told. */
import type { IpFamily, RouteSpec, RoutesApi } from "@netd/driverapi";
import { check, route, withLinkIndex, type LinuxContext } from "./context.js";
import { kernelError, type OpContext } from "./errors.js";
import { linkNames } from "./links.js";
import { validateCidr, validateIfName, validateIp, validateNetnsPath, validateU32, type ParsedCidr } from "./validate.js";
import * as c from "./rtnetlink/constants.js";
import { attr, attrU32, message } from "./rtnetlink/encode.js";
import { addressText, decodeRoute, rtmsg } from "./rtnetlink/messages.js";

/** A route after validation. */
export interface CheckedRoute {
  readonly family: IpFamily;
  readonly dst: ParsedCidr | null;
  readonly via: ParsedCidr | null;
  readonly table: number;
  readonly metric: number | undefined;
  readonly text: string;
}

/** Validates a RouteSpec: prefix with no host bits, gateway of the family, via or dev. */
export function checkRoute(r: RouteSpec): CheckedRoute {
  if (r.family !== 4 && r.family !== 6) throw kernelError("INVALID_ROUTE", `route family ${String(r.family)} is not 4 or 6`);
  const dst = r.to === "default" ? null : validateCidr(r.to, "route destination", r.family);
  if (dst) {
    const bytes = Buffer.from(dst.bytes);
    for (let bit = dst.prefix; bit < bytes.length * 8; bit++) {
      if ((bytes[bit >> 3]! & (0x80 >> (bit & 7))) !== 0) {
        throw kernelError("INVALID_ROUTE", `route destination ${r.to} has host bits set`, "use the network address of the prefix, e.g. 10.0.0.0/24", { value: r.to });
      }
    }
  }
  const via = r.via === undefined ? null : validateIp(r.via, "gateway", r.family);
  if (r.dev !== undefined) validateIfName(r.dev, "route device");
  if (via === null && r.dev === undefined) throw kernelError("INVALID_ROUTE", `route to ${r.to} has neither a gateway nor a device`, "give `via`, `dev` or both");
  const table = r.table === undefined ? c.RT_TABLE_MAIN : validateU32(r.table, "route table", 1);
  const metric = r.metric === undefined ? undefined : validateU32(r.metric, "route metric");
  const text = `${r.to}${via ? ` via ${via.text}` : ""}${r.dev ? ` dev ${r.dev}` : ""}${table !== c.RT_TABLE_MAIN ? ` table ${table}` : ""}`;
  return { family: r.family, dst, via, table, metric, text };
}

/** The RTM_NEWROUTE / RTM_DELROUTE request. */
export function routeRequest(type: number, flags: number, r: CheckedRoute, oif: number | undefined): Buffer {
  const del = type === c.RTM_DELROUTE;
  const header = rtmsg({
    family: r.family === 4 ? c.AF_INET : c.AF_INET6,
    dstLen: r.dst?.prefix ?? 0,
    table: r.table < 256 ? r.table : c.RT_TABLE_UNSPEC,
    protocol: del ? 0 : c.RTPROT_BOOT,
    // A delete with scope NOWHERE matches any scope, as `ip route del` does.
    scope: del ? c.RT_SCOPE_NOWHERE : r.via ? c.RT_SCOPE_UNIVERSE : c.RT_SCOPE_LINK,
    type: del ? 0 : c.RTN_UNICAST,
  });
  const attrs = [attrU32(c.RTA_TABLE, r.table)];
  if (r.dst) attrs.push(attr(c.RTA_DST, r.dst.bytes));
  if (r.via) attrs.push(attr(c.RTA_GATEWAY, r.via.bytes));
  if (oif !== undefined) attrs.push(attrU32(c.RTA_OIF, oif));
  if (r.metric !== undefined) attrs.push(attrU32(c.RTA_PRIORITY, r.metric));
  return message(type, flags, header, attrs);
}

/** The Linux implementation of {@link RoutesApi}. */
export function createRoutes(ctx: LinuxContext): RoutesApi {
  return {
    async add(netns, spec) {
      validateNetnsPath(netns);
      const r = checkRoute(spec);
      const op: OpContext = { op: "add route", names: [r.text], netns, codes: { 17: "ROUTE_EXISTS", 19: "LINK_NOT_FOUND" } };
      const sock = await route(ctx, netns);
      const flags = c.NLM_F_REQUEST | c.NLM_F_ACK | c.NLM_F_CREATE | c.NLM_F_EXCL;
      const [reply] = spec.dev === undefined ? await sock.request([routeRequest(c.RTM_NEWROUTE, flags, r, undefined)]) : await withLinkIndex(sock, spec.dev, "device", op, (oif) => [routeRequest(c.RTM_NEWROUTE, flags, r, oif)]);
      check(reply!, { ...op, hint: reply!.status.errno === 17 ? "delete the existing route first" : undefined });
    },

    async delete(netns, spec) {
      validateNetnsPath(netns);
      const r = checkRoute(spec);
      const op: OpContext = { op: "delete route", names: [r.text], netns };
      const sock = await route(ctx, netns);
      let oif: number | undefined;
      if (spec.dev !== undefined) {
        const names = await linkNames(ctx, netns);
        oif = [...names].find(([, n]) => n === spec.dev)?.[0];
        // The device is gone, and its routes with it.
        if (oif === undefined) return;
      }
      const [reply] = await sock.request([routeRequest(c.RTM_DELROUTE, c.NLM_F_REQUEST | c.NLM_F_ACK, r, oif)]);
      check(reply!, op, [3, 19]);
    },

    async list(netns, family) {
      validateNetnsPath(netns);
      if (family !== 4 && family !== 6) throw kernelError("INVALID_ROUTE", `route family ${String(family)} is not 4 or 6`);
      const af = family === 4 ? c.AF_INET : c.AF_INET6;
      const names = await linkNames(ctx, netns);
      const sock = await route(ctx, netns);
      const header = rtmsg({ family: af, dstLen: 0, table: 0, protocol: 0, scope: 0, type: 0 });
      const [reply] = await sock.request([message(c.RTM_GETROUTE, c.NLM_F_REQUEST | c.NLM_F_DUMP, header)]);
      check(reply!, { op: "list routes", names: [], netns });
      const out: RouteSpec[] = [];
      for (const m of reply!.messages) {
        if (m.type !== c.RTM_NEWROUTE) continue;
        const raw = decodeRoute(m.payload);
        if (raw.type !== c.RTN_UNICAST || raw.family !== af) continue;
        const table = raw.attrs.get(c.RTA_TABLE)?.readUInt32LE(0) ?? raw.table;
        const dst = raw.attrs.get(c.RTA_DST);
        const gw = raw.attrs.get(c.RTA_GATEWAY);
        const oif = raw.attrs.get(c.RTA_OIF)?.readUInt32LE(0);
        const metric = raw.attrs.get(c.RTA_PRIORITY)?.readUInt32LE(0);
        out.push({
          to: dst ? `${addressText(af, dst)}/${raw.dstLen}` : "default",
          family,
          ...(gw ? { via: addressText(af, gw) } : {}),
          ...(oif !== undefined ? { dev: names.get(oif) ?? String(oif) } : {}),
          ...(metric !== undefined ? { metric } : {}),
          ...(table !== c.RT_TABLE_MAIN ? { table } : {}),
        });
      }
      return out;
    },
  };
}
