/**
 * Which netlink requests may go out from the JS thread (netlink-native's transactInline):
 * those the kernel answers inside sendto without waiting. Everything else (dumps in the
 * daemon's namespace, link deletes, links taken down, master and namespace changes, nft rule
 * and table changes) goes through the libuv pool.
 */
import { NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFT_MSG_DELSETELEM, NFT_MSG_GETSET, NFT_MSG_NEWSETELEM } from "./nft-elements/constants.js";
import { IFF_UP, IFLA_MASTER, IFLA_NET_NS_FD, NFT_MSG_GETGEN, NLM_F_CREATE, NLM_F_DUMP, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, RTM_SETLINK } from "./rtnetlink/constants.js";

/** Address, route and neighbour changes and gets: RTM_NEWADDR (20) … RTM_GETNEIGH (30). */
const RTM_INLINE_LAST = 30;
const IFLA_NET_NS_PID = 19;
/** Link attributes whose change waits in the kernel: leaving a master, moving to another namespace. */
const SLOW_LINK_ATTRS = new Set([IFLA_MASTER, IFLA_NET_NS_PID, IFLA_NET_NS_FD]);

/** True when an RTM_SETLINK takes no link down and changes no master or namespace. */
function quickLinkChange(message: Buffer): boolean {
  if (message.length < 32) return false;
  const flags = message.readUInt32LE(24);
  const change = message.readUInt32LE(28);
  if ((change & IFF_UP) !== 0 && (flags & IFF_UP) === 0) return false;
  for (let at = 32; at + 4 <= message.length; at += (message.readUInt16LE(at) + 3) & ~3) {
    if (message.readUInt16LE(at) < 4) return false;
    if (SLOW_LINK_ATTRS.has(message.readUInt16LE(at + 2) & 0x3fff)) return false;
  }
  return true;
}

/**
 * True when rtnetlink answers `message` inside sendto without waiting (see transactInline):
 * address, route and neighbour requests, link creation, single-link gets, and link changes
 * that take nothing down (up, hairpin, MTU, MAC, name). Not link deletes, links taken down,
 * master or namespace changes: those wait for an RCU grace period.
 */
export function answeredInline(message: Buffer): boolean {
  const type = message.readUInt16LE(4);
  const flags = message.readUInt16LE(6);
  if ((flags & NLM_F_DUMP) === NLM_F_DUMP) return false;
  return routeChangeInline(type, flags, message);
}

/**
 * answeredInline, plus link dumps: in a sandbox's namespace (a handful of links) the kernel
 * fills the whole dump inside sendto and the following reads. Not for the daemon's namespace,
 * where a dump can list thousands of links.
 */
export function answeredInlineInSandbox(message: Buffer): boolean {
  const type = message.readUInt16LE(4);
  const flags = message.readUInt16LE(6);
  if ((flags & NLM_F_DUMP) === NLM_F_DUMP) return type === RTM_GETLINK;
  return routeChangeInline(type, flags, message);
}

const NFT_SUBSYS = 10 << 8;
/** Batch delimiters, the generation, a single set's get, and set element changes (nft-elements' batches). */
const NFT_INLINE = new Set([NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFT_SUBSYS | NFT_MSG_GETGEN, NFT_SUBSYS | NFT_MSG_GETSET, NFT_SUBSYS | NFT_MSG_NEWSETELEM, NFT_SUBSYS | NFT_MSG_DELSETELEM]);

/**
 * True for nfnetlink messages the kernel answers inside sendto: element changes commit under
 * the nftables mutex and free what they replace after an RCU grace period in a work item
 * (since Linux 4.20), so neither the sender nor the batch waits. Dumps and rule, chain,
 * table and set changes go to the pool.
 */
export function nftAnsweredInline(message: Buffer): boolean {
  const flags = message.readUInt16LE(6);
  return (flags & NLM_F_DUMP) !== NLM_F_DUMP && NFT_INLINE.has(message.readUInt16LE(4));
}

function routeChangeInline(type: number, flags: number, message: Buffer): boolean {
  if (type === RTM_GETLINK) return true;
  if (type === RTM_NEWLINK) return (flags & NLM_F_CREATE) !== 0;
  if (type === RTM_SETLINK) return quickLinkChange(message);
  return type >= RTM_NEWADDR && type <= RTM_INLINE_LAST;
}
