/**
 * What every Linux operation module shares: the socket cache, and the check that turns a
 * reply's errno into a NetdError (or accepts it, for idempotent deletes).
 */
import { NETLINK_ROUTE } from "@netd/netlink-native";
import { fromErrno, kernelError, type OpContext } from "./errors.js";
import type { NetlinkSocket, Reply, SocketCache } from "./socket-cache.js";
import { IFLA_EXT_MASK, IFLA_IFNAME, NLM_F_ACK, NLM_F_REQUEST, RTEXT_FILTER_SKIP_STATS, RTM_GETLINK } from "./rtnetlink/constants.js";
import { attrString, attrU32, message } from "./rtnetlink/encode.js";
import { decodeLink, ifinfomsg, type RawLink } from "./rtnetlink/messages.js";

/** Shared state of one Linux Kernel instance. */
export interface LinuxContext {
  readonly sockets: SocketCache;
}

/** The NETLINK_ROUTE socket inside `netns` (a separate one per `lane`). */
export function route(ctx: LinuxContext, netns: string, lane?: string): Promise<NetlinkSocket> {
  return ctx.sockets.get(netns, NETLINK_ROUTE, lane);
}

/**
 * Throws the NetdError for a failed reply. Returns false when the errno is one of
 * `accept` (e.g. "already gone" on delete), true on success.
 */
export function check(reply: Reply, op: OpContext, accept: readonly number[] = []): boolean {
  const { errno, kernelMessage } = reply.status;
  if (errno === 0) return true;
  if (accept.includes(errno)) return false;
  throw fromErrno(op, errno, kernelMessage);
}

/** RTM_GETLINK for one link by name (without statistics), with an ACK. */
export function getLinkByName(name: string): Buffer {
  return message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, ifinfomsg(), [attrString(IFLA_IFNAME, name), attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)]);
}

/** RTM_GETLINK for one link by index. */
export function getLinkByIndex(index: number): Buffer {
  return message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, ifinfomsg({ index }), [attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)]);
}

/** The decoded link of a GETLINK reply, or null when the kernel said ENODEV. */
export function linkFromReply(reply: Reply, op: OpContext): RawLink | null {
  if (!check(reply, op, [19])) return null;
  const msg = reply.messages[0];
  return msg ? decodeLink(msg.payload) : null;
}

/** Looks up a link in `sock`'s namespace; throws LINK_NOT_FOUND when missing. */
export async function requireLink(sock: NetlinkSocket, name: string, role: string, op: OpContext): Promise<RawLink> {
  const [reply] = await sock.request([getLinkByName(name)]);
  const link = linkFromReply(reply!, { ...op, codes: {} });
  if (link === null) {
    throw kernelError("LINK_NOT_FOUND", `failed to ${op.op} ${op.names[0] ?? ""}: ${role} ${name} does not exist in ${sock.netns}`, `create ${name} first or check the name`, {
      op: op.op,
      names: op.names,
      netns: sock.netns,
      errno: 19,
      kernelMessage: null,
    });
  }
  return link;
}

/**
 * The index of link `name` in `sock`'s namespace, from the socket's cache when known, else
 * looked up (LINK_NOT_FOUND when missing) and remembered.
 */
export async function linkIndex(sock: NetlinkSocket, name: string, role: string, op: OpContext): Promise<number> {
  const cached = sock.indexes.get(name);
  if (cached !== undefined) return cached;
  const { index } = await requireLink(sock, name, role, op);
  sock.indexes.set(name, index);
  return index;
}

/**
 * Sends the request `build(index)` for link `name`, the index coming from the cache. When
 * the kernel answers ENODEV for a cached index (the link was deleted or renamed behind
 * netd's back), the name is looked up again and the request sent once more, so a stale
 * cache entry costs a round trip, never a wrong answer.
 */
export async function withLinkIndex(sock: NetlinkSocket, name: string, role: string, op: OpContext, build: (index: number) => Buffer[]): Promise<Reply[]> {
  const wasCached = sock.indexes.has(name);
  const replies = await sock.request(build(await linkIndex(sock, name, role, op)));
  if (!wasCached || !replies.some((r) => r.status.errno === 19)) return replies;
  sock.indexes.delete(name);
  return sock.request(build(await linkIndex(sock, name, role, op)));
}
