/** IPv4 and IPv6 addresses on links (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR). */
import type { AddressInfo, AddressesApi } from "@netd/driverapi";
import { check, getLinkByName, linkFromReply, route, withLinkIndex, type LinuxContext } from "./context.js";
import type { OpContext } from "./errors.js";
import { linkNames } from "./links.js";
import { validateCidr, validateIfName, validateNetnsPath, type ParsedCidr } from "./validate.js";
import * as c from "./rtnetlink/constants.js";
import { attr, attrU32, message } from "./rtnetlink/encode.js";
import { addressText, decodeAddress, ifaddrmsg } from "./rtnetlink/messages.js";

/** The RTM_NEWADDR/RTM_DELADDR request for `cidr` on link `index`. */
export function addressRequest(type: number, flags: number, index: number, cidr: ParsedCidr, nodad: boolean): Buffer {
  const family = cidr.family === 4 ? c.AF_INET : c.AF_INET6;
  const ifaFlags = nodad && cidr.family === 6 ? c.IFA_F_NODAD : 0;
  const attrs = [attr(c.IFA_ADDRESS, cidr.bytes)];
  // For IPv4, IFA_LOCAL is the address itself; IFA_ADDRESS would be the peer on a point-to-point link.
  if (cidr.family === 4) attrs.unshift(attr(c.IFA_LOCAL, cidr.bytes));
  if (ifaFlags !== 0) attrs.push(attrU32(c.IFA_FLAGS, ifaFlags));
  return message(type, flags, ifaddrmsg(family, cidr.prefix, ifaFlags, c.RT_SCOPE_UNIVERSE, index), attrs);
}

/** The Linux implementation of {@link AddressesApi}. */
export function createAddresses(ctx: LinuxContext): AddressesApi {
  return {
    async add(netns, link, address, options) {
      validateNetnsPath(netns);
      validateIfName(link);
      const cidr = validateCidr(address);
      const op: OpContext = { op: "add address", names: [cidr.text, link], extra: `on ${link}`, netns, codes: { 17: "ADDRESS_EXISTS", 19: "LINK_NOT_FOUND" } };
      const sock = await route(ctx, netns);
      const flags = c.NLM_F_REQUEST | c.NLM_F_ACK | c.NLM_F_CREATE | c.NLM_F_EXCL;
      const [reply] = await withLinkIndex(sock, link, "link", op, (index) => [addressRequest(c.RTM_NEWADDR, flags, index, cidr, options?.nodad === true)]);
      check(reply!, op);
    },

    async delete(netns, link, address) {
      validateNetnsPath(netns);
      validateIfName(link);
      const cidr = validateCidr(address);
      const sock = await route(ctx, netns);
      const op: OpContext = { op: "delete address", names: [cidr.text, link], extra: `on ${link}`, netns };
      const [found] = await sock.request([getLinkByName(link)]);
      // A missing link has no addresses: nothing to delete.
      const raw = linkFromReply(found!, op);
      if (raw === null) return;
      const index = raw.index;
      const [reply] = await sock.request([addressRequest(c.RTM_DELADDR, c.NLM_F_REQUEST | c.NLM_F_ACK, index, cidr, false)]);
      check(reply!, op, [99, 19]);
    },

    async list(netns, link) {
      validateNetnsPath(netns);
      if (link !== undefined) validateIfName(link);
      const names = await linkNames(ctx, netns);
      const sock = await route(ctx, netns);
      const [reply] = await sock.request([message(c.RTM_GETADDR, c.NLM_F_REQUEST | c.NLM_F_DUMP, ifaddrmsg(c.AF_UNSPEC, 0, 0, 0, 0))]);
      check(reply!, { op: "list addresses", names: [], netns });
      const out: AddressInfo[] = [];
      for (const m of reply!.messages) {
        if (m.type !== c.RTM_NEWADDR) continue;
        const a = decodeAddress(m.payload);
        const name = names.get(a.index) ?? "";
        if (a.scope !== c.RT_SCOPE_UNIVERSE || (link !== undefined && name !== link)) continue;
        const bytes = a.attrs.get(a.family === c.AF_INET ? c.IFA_LOCAL : c.IFA_ADDRESS) ?? a.attrs.get(c.IFA_ADDRESS);
        if (bytes === undefined) continue;
        out.push({ link: name, address: `${addressText(a.family, bytes)}/${a.prefixLen}`, family: a.family === c.AF_INET ? 4 : 6 });
      }
      return out;
    },
  };
}
