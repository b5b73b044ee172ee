/**
 * One cached netlink socket per (protocol, namespace path). Requests on a socket go one
 * exchange at a time, concurrent ones coalesced into one datagram (see NetlinkSocket).
 */
import { closeSync } from "node:fs";
import { resolve } from "node:path";
import * as native from "@netd/netlink-native";
import { kernelError } from "./errors.js";
import { answeredInline, answeredInlineInSandbox, nftAnsweredInline } from "./inline-requests.js";
import { NLMSG_DONE, NLMSG_ERROR } from "./rtnetlink/constants.js";
import { parseMessages, parseStatus, type NlMessage, type NlStatus } from "./rtnetlink/decode.js";

/** The replies to one message of a request: data messages and the final status. */
export interface Reply {
  readonly messages: NlMessage[];
  readonly status: NlStatus;
}

/** One caller's request waiting for the socket. */
interface Pending {
  readonly messages: readonly Buffer[];
  readonly dump: boolean;
  /** An nfnetlink batch: travels alone, every message under one sequence number. */
  readonly batch?: boolean;
  readonly resolve: (replies: Reply[]) => void;
  readonly reject: (e: unknown) => void;
}

const NLM_F_DUMP = 0x300;

/**
 * A netlink socket inside one namespace. One exchange is in flight at a time (the addon
 * reads replies until every message of the current datagram is answered, so two in flight
 * would steal each other's replies); requests that arrive meanwhile are coalesced into the
 * next datagram, each message keeping its own sequence number and reply, so concurrent
 * operations on one namespace cost one kernel round trip instead of one each. Dumps travel
 * alone (a dump's replies span several reads and a second dump on a socket is refused).
 */
export class NetlinkSocket {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private closed = false;
  private busy = false;
  private readonly queue: Pending[] = [];
  private readonly idle: Array<() => void> = [];
  /**
   * Link name → index in this namespace, filled by lookups and creates, dropped on deletes and
   * renames through this Kernel. Indexes are not reused by the kernel (cyclic allocation), so
   * a stale entry can only name a link that is gone: the request then fails with ENODEV and
   * the caller looks the name up again (see withLinkIndex).
   */
  readonly indexes = new Map<string, number>();

  constructor(
    private readonly fd: number,
    /** The namespace path, for messages. */
    readonly netns: string,
    /** Which requests the kernel answers inside sendto: they skip the libuv pool (inline-requests.ts). */
    private readonly inline: (message: Buffer) => boolean = () => false,
  ) {}

  /**
   * Sends `messages` in one datagram (stamping sequence numbers), possibly together with
   * other callers' messages, and returns one Reply per message, in order. Non-dump messages
   * must carry NLM_F_ACK.
   */
  request(messages: readonly Buffer[]): Promise<Reply[]> {
    return new Promise<Reply[]>((resolve, reject) => {
      const dump = messages.some((m) => (m.readUInt16LE(6) & NLM_F_DUMP) === NLM_F_DUMP);
      this.queue.push({ messages, dump, resolve, reject });
      this.pump();
    });
  }

  /**
   * Sends an nfnetlink batch (BATCH_BEGIN, the requests, BATCH_END) alone in its datagram,
   * every message under one sequence number, and returns the first answer: the kernel answers
   * only requests flagged NLM_F_ACK and failures (a failing request, a refused BEGIN, a failed
   * commit), in that order after the whole batch ran, so the first answer is the batch's
   * outcome. Flag only the last request with NLM_F_ACK. Later answers of the same batch are
   * left in the socket and skipped by the next exchange (their sequence number is old).
   */
  batch(messages: readonly Buffer[]): Promise<Reply> {
    return new Promise<Reply[]>((resolve, reject) => {
      // Queued like a dump, so no other request is coalesced into its datagram.
      this.queue.push({ messages, dump: true, batch: true, resolve, reject });
      this.pump();
    }).then((replies) => replies[0]!);
  }

  private pump(): void {
    if (this.busy) return;
    if (this.queue.length === 0) {
      for (const wake of this.idle.splice(0)) wake();
      return;
    }
    // Take the queue's head; coalesce following non-dump requests behind a non-dump head.
    const batch = [this.queue.shift()!];
    if (!batch[0]!.dump) while (this.queue.length > 0 && !this.queue[0]!.dump) batch.push(this.queue.shift()!);
    this.busy = true;
    void this.exchange(batch).finally(() => {
      this.busy = false;
      this.pump();
    });
  }

  private async exchange(batch: Pending[]): Promise<void> {
    if (this.closed) {
      const e = kernelError("KERNEL_CLOSED", `the netlink socket for ${this.netns} was closed`, "create a new Kernel or stop using the deleted namespace");
      for (const p of batch) p.reject(e);
      return;
    }
    const all = batch.flatMap((p) => p.messages);
    const nextSeq = (): number => (this.seq = (this.seq + 1) >>> 0 || 1);
    let seqs: number[];
    if (batch[0]!.batch) {
      const one = nextSeq();
      for (const m of all) m.writeUInt32LE(one, 8);
      seqs = [one];
    } else {
      seqs = all.map((m) => {
        const seq = nextSeq();
        m.writeUInt32LE(seq, 8);
        return seq;
      });
    }
    let datagrams: Buffer[];
    try {
      const request = all.length === 1 ? all[0]! : Buffer.concat(all);
      // Most of a join's requests are answered before sendto returns: sent from this thread
      // they cost no pool hand-off (two thread wake-ups), and never queue behind the store's
      // fdatasync on the pool.
      if (all.every(this.inline)) {
        const now = native.transactInline(this.fd, request);
        datagrams = Array.isArray(now) ? now : await now;
      } else {
        datagrams = await native.transact(this.fd, request);
      }
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    const bySeq = new Map<number, { messages: NlMessage[]; status: NlStatus | undefined }>();
    for (const s of seqs) bySeq.set(s, { messages: [], status: undefined });
    for (const d of datagrams) {
      for (const msg of parseMessages(d)) {
        const slot = bySeq.get(msg.seq);
        // Replies to an earlier, timed-out request carry other sequence numbers.
        if (slot === undefined) continue;
        if (msg.type === NLMSG_ERROR || msg.type === NLMSG_DONE) slot.status ??= parseStatus(msg);
        else slot.messages.push(msg);
      }
    }
    const replies = seqs.map((s) => {
      const slot = bySeq.get(s)!;
      return { messages: slot.messages, status: slot.status ?? { errno: 0, kernelMessage: undefined, offset: undefined } };
    });
    if (batch[0]!.batch) return batch[0]!.resolve(replies);
    let at = 0;
    for (const p of batch) {
      p.resolve(replies.slice(at, at + p.messages.length));
      at += p.messages.length;
    }
  }

  /** Closes the socket once the requests already queued have finished. */
  async close(): Promise<void> {
    if (this.busy || this.queue.length > 0) await new Promise<void>((r) => this.idle.push(r));
    if (!this.closed) native.closeNetlink(this.fd);
    this.closed = true;
  }
}

const HOST_PATHS = new Set(["/proc/self/ns/net", "/proc/thread-self/ns/net"]);

/** The host (daemon) namespace: the addon then skips setns. */
export function isHostPath(path: string): boolean {
  return HOST_PATHS.has(path);
}

/** How many sockets of non-host namespaces stay open; the least recently used go first. */
export const MAX_CACHED_SOCKETS = 64;

/**
 * Opens sockets lazily and keeps one per (protocol, resolved path), at most
 * MAX_CACHED_SOCKETS of them besides the host's: a daemon with a thousand sandboxes must
 * not hold a thousand sockets (fds, and each keeps its namespace alive). A sandbox's socket
 * is used in bursts (join, gateway change, leave), so an evicted one is simply reopened.
 */
export class SocketCache {
  /** Insertion order is recency order: get() moves an entry to the end. */
  private readonly sockets = new Map<string, Promise<NetlinkSocket>>();
  private closed = false;

  /** `timeoutMs`: how long one request may wait for the kernel (default 10000). */
  constructor(
    private readonly timeoutMs?: number,
    private readonly maxSockets = MAX_CACHED_SOCKETS,
  ) {}

  /**
   * The socket of `protocol` in `netns` (of `lane`, when given), opening it on first use. Fails with
   * NETNS_NOT_FOUND when the path is not a network namespace.
   */
  get(netns: string, protocol: number, lane?: string): Promise<NetlinkSocket> {
    if (this.closed) return Promise.reject(kernelError("KERNEL_CLOSED", "the Kernel was closed", "create a new Kernel with createLinuxKernel()"));
    const path = resolve(netns);
    // A lane is a second socket in the same namespace, so slow requests (RTM_DELLINK waits
    // for an RCU grace period) do not hold up the others queued behind them.
    const key = lane === undefined ? `${protocol}:${path}` : `${protocol}/${lane}:${path}`;
    let entry = this.sockets.get(key);
    if (entry !== undefined) {
      this.sockets.delete(key);
      this.sockets.set(key, entry);
      return entry;
    }
    entry = open(path, protocol, this.timeoutMs);
    this.sockets.set(key, entry);
    // A failed open is not cached, so a namespace created later can be used.
    entry.catch(() => this.sockets.delete(key));
    this.evict();
    return entry;
  }

  /** Closes the least recently used sockets beyond the cap (never the host's). */
  private evict(): void {
    let excess = [...this.sockets.keys()].filter((k) => !isHostPath(k.slice(k.indexOf(":") + 1))).length - this.maxSockets;
    for (const [key, entry] of this.sockets) {
      if (excess <= 0) break;
      if (isHostPath(key.slice(key.indexOf(":") + 1))) continue;
      this.sockets.delete(key);
      excess--;
      // close() waits for requests already queued on the socket.
      void entry.then((s) => s.close(), () => undefined);
    }
  }

  /** Number of cached sockets (tests). */
  get size(): number {
    return this.sockets.size;
  }

  /**
   * Runs `fn` with an open descriptor of the namespace file (for IFLA_NET_NS_FD), closed
   * afterwards: namespace fds are not cached, so netd never keeps a namespace alive.
   * Fails with NETNS_NOT_FOUND when the path is not a network namespace.
   */
  async withNsFd<T>(netns: string, fn: (fd: number) => Promise<T>): Promise<T> {
    if (this.closed) throw kernelError("KERNEL_CLOSED", "the Kernel was closed", "create a new Kernel with createLinuxKernel()");
    const path = resolve(netns);
    const fd = await native.openNetns(path);
    if (fd === null) throw notNetns(path);
    try {
      return await fn(fd);
    } finally {
      // Closing an nsfs descriptor never blocks: no pool round trip for it.
      closeSync(fd);
    }
  }

  /** Closes and forgets the sockets of `netns` (netns.delete and netns.release). */
  async release(netns: string): Promise<void> {
    const path = resolve(netns);
    const closing: Promise<void>[] = [];
    for (const [key, entry] of this.sockets) {
      if (key.slice(key.indexOf(":") + 1) !== path) continue;
      this.sockets.delete(key);
      closing.push(entry.then((s) => s.close(), () => undefined));
    }
    await Promise.all(closing);
  }

  /** Closes every socket; the cache refuses further use. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(all.map((e) => e.then((s) => s.close(), () => undefined)));
  }
}

/**
 * Throws NETNS_NOT_FOUND unless `path` is a network namespace. The daemon's own namespace
 * always is: no pool round trip for it (every nft transaction of the host's table asks).
 */
export async function assertNetns(path: string): Promise<void> {
  if (isHostPath(path)) return;
  if (!(await native.isNetns(path))) throw notNetns(path);
}

function notNetns(path: string): Error {
  return kernelError("NETNS_NOT_FOUND", `network namespace ${path} does not exist or is not a network namespace`, "create it first (netns.create or `ip netns add`) or pass an existing /proc/PID/ns/net", { netns: path });
}

async function open(path: string, protocol: number, timeoutMs: number | undefined): Promise<NetlinkSocket> {
  const host = isHostPath(path);
  let fd: number;
  try {
    // The addon's thread opens and enters the namespace itself: its failure to do so is
    // the existence check, one pool round trip instead of two.
    fd = await native.openNetlink(protocol, host ? null : path, timeoutMs);
  } catch (e) {
    const syscall = (e as { syscall?: unknown }).syscall;
    if (!host && typeof syscall === "string" && (syscall.startsWith("open ") || syscall.startsWith("setns "))) throw notNetns(path);
    throw e;
  }
  const inline = protocol === native.NETLINK_NETFILTER ? nftAnsweredInline : protocol !== native.NETLINK_ROUTE ? undefined : host ? answeredInline : answeredInlineInSandbox;
  return new NetlinkSocket(fd, path, inline);
}
