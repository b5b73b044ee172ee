/** Neighbour (ARP/NDP) entries: RTM_DELNEIGH of one entry by link and address. */
import type { NeighboursApi } from "@netd/driverapi";
import { check, getLinkByName, linkFromReply, route, type LinuxContext } from "./context.js";
import type { OpContext } from "./errors.js";
import { validateIfName, validateIp, validateNetnsPath } from "./validate.js";
import * as c from "./rtnetlink/constants.js";
import { attr, message } from "./rtnetlink/encode.js";

const RTM_DELNEIGH = 29;
const NDA_DST = 1;
const ENOENT = 2;
const ENODEV = 19;

/** struct ndmsg (12 bytes): family, pads, ifindex, state, flags, type. */
export function ndmsg(family: number, index: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(family, 0);
  b.writeInt32LE(index, 4);
  return b;
}

/** The Linux implementation of {@link NeighboursApi}. */
export function createNeighbours(ctx: LinuxContext): NeighboursApi {
  return {
    async delete(netns, link, address) {
      validateNetnsPath(netns);
      validateIfName(link);
      const ip = validateIp(address);
      const op: OpContext = { op: "delete neighbour", names: [ip.text, link], extra: `on ${link}`, netns };
      const sock = await route(ctx, netns);
      const [found] = await sock.request([getLinkByName(link)]);
      const raw = linkFromReply(found!, op);
      // A missing link has no neighbours.
      if (raw === null) return;
      const family = ip.family === 4 ? c.AF_INET : c.AF_INET6;
      const [reply] = await sock.request([message(RTM_DELNEIGH, c.NLM_F_REQUEST | c.NLM_F_ACK, ndmsg(family, raw.index), [attr(NDA_DST, ip.bytes)])]);
      check(reply!, op, [ENOENT, ENODEV]);
    },
  };
}
