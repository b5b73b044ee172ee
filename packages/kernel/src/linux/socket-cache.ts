/**
 * One cached netlink socket per (protocol, namespace path). Requests on a socket are
 * serialized with a mutex, because the addon reads replies until every message of the
 * current request is answered and two requests in flight would steal each other's replies.
 */
import { open as openFile, type FileHandle } from "node:fs/promises";
import { resolve } from "node:path";
import { Mutex } from "async-mutex";
import * as native from "@netd/netlink-native";
import { kernelError } from "./errors.js";
import { NLMSG_DONE, NLMSG_ERROR } from "./rtnetlink/constants.js";
import { parseMessages, parseStatus, type NlMessage, type NlStatus } from "./rtnetlink/decode.js";

/** The replies to one message of a request: data messages and the final status. */
export interface Reply {
  readonly messages: NlMessage[];
  readonly status: NlStatus;
}

/** A netlink socket inside one namespace. */
export class NetlinkSocket {
  private readonly mutex = new Mutex();
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private closed = false;

  constructor(
    private readonly fd: number,
    /** The namespace path, for messages. */
    readonly netns: string,
  ) {}

  /**
   * Sends `messages` in one datagram (stamping sequence numbers) and returns one Reply per
   * message, in order. Non-dump messages must carry NLM_F_ACK.
   */
  async request(messages: readonly Buffer[]): Promise<Reply[]> {
    return this.mutex.runExclusive(async () => {
      if (this.closed) throw kernelError("KERNEL_CLOSED", `the netlink socket for ${this.netns} was closed`, "create a new Kernel or stop using the deleted namespace");
      const seqs = messages.map((m) => {
        this.seq = (this.seq + 1) >>> 0 || 1;
        m.writeUInt32LE(this.seq, 8);
        return this.seq;
      });
      const datagrams = await native.transact(this.fd, Buffer.concat(messages));
      const bySeq = new Map<number, { messages: NlMessage[]; status: NlStatus | undefined }>();
      for (const s of seqs) bySeq.set(s, { messages: [], status: undefined });
      for (const d of datagrams) {
        for (const msg of parseMessages(d)) {
          const slot = bySeq.get(msg.seq);
          // Replies to an earlier, timed-out request carry other sequence numbers.
          if (slot === undefined) continue;
          if (msg.type === NLMSG_ERROR || msg.type === NLMSG_DONE) slot.status = parseStatus(msg);
          else slot.messages.push(msg);
        }
      }
      return seqs.map((s) => {
        const slot = bySeq.get(s)!;
        return { messages: slot.messages, status: slot.status ?? { errno: 0, kernelMessage: undefined, offset: undefined } };
      });
    });
  }

  /** Closes the socket once the requests already queued have finished. */
  async close(): Promise<void> {
    await this.mutex.runExclusive(() => {
      if (!this.closed) native.closeNetlink(this.fd);
      this.closed = true;
    });
  }
}

const HOST_PATHS = new Set(["/proc/self/ns/net", "/proc/thread-self/ns/net"]);

/** The host (daemon) namespace: the addon then skips setns. */
export function isHostPath(path: string): boolean {
  return HOST_PATHS.has(path);
}

/**
 * Opens sockets lazily and keeps one per (protocol, resolved path); also keeps an open
 * descriptor of each namespace used as a veth peer or child target (IFLA_NET_NS_FD), so
 * attaching a container costs no file opens.
 */
export class SocketCache {
  private readonly sockets = new Map<string, Promise<NetlinkSocket>>();
  private readonly nsFiles = new Map<string, Promise<FileHandle>>();
  private closed = false;

  /** `timeoutMs`: how long one request may wait for the kernel (default 10000). */
  constructor(private readonly timeoutMs?: number) {}

  /**
   * The socket of `protocol` in `netns`, opening it on first use. Fails with
   * NETNS_NOT_FOUND when the path is not a network namespace.
   */
  get(netns: string, protocol: number): Promise<NetlinkSocket> {
    if (this.closed) return Promise.reject(kernelError("KERNEL_CLOSED", "the Kernel was closed", "create a new Kernel with createLinuxKernel()"));
    const path = resolve(netns);
    const key = `${protocol}:${path}`;
    let entry = this.sockets.get(key);
    if (entry === undefined) {
      entry = open(path, protocol, this.timeoutMs);
      this.sockets.set(key, entry);
      // A failed open is not cached, so a namespace created later can be used.
      entry.catch(() => this.sockets.delete(key));
    }
    return entry;
  }

  /**
   * A descriptor of the namespace file, for IFLA_NET_NS_FD; valid until release(netns) or
   * close(). Fails with NETNS_NOT_FOUND when the path is not a network namespace.
   */
  async nsFd(netns: string): Promise<number> {
    if (this.closed) throw kernelError("KERNEL_CLOSED", "the Kernel was closed", "create a new Kernel with createLinuxKernel()");
    const path = resolve(netns);
    let entry = this.nsFiles.get(path);
    if (entry === undefined) {
      entry = assertNetns(path).then(() => openFile(path, "r"));
      this.nsFiles.set(path, entry);
      entry.catch(() => this.nsFiles.delete(path));
    }
    return (await entry).fd;
  }

  /** Closes and forgets the sockets and descriptor of `netns` (called by netns.delete). */
  async release(netns: string): Promise<void> {
    const path = resolve(netns);
    const closing: Promise<void>[] = [];
    const file = this.nsFiles.get(path);
    if (file !== undefined) {
      this.nsFiles.delete(path);
      closing.push(file.then((h) => h.close(), () => undefined));
    }
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
    const files = [...this.nsFiles.values()];
    this.sockets.clear();
    this.nsFiles.clear();
    await Promise.all([
      ...all.map((e) => e.then((s) => s.close(), () => undefined)),
      ...files.map((f) => f.then((h) => h.close(), () => undefined)),
    ]);
  }
}

/** Throws NETNS_NOT_FOUND unless `path` is a network namespace. */
export async function assertNetns(path: string): Promise<void> {
  if (!(await native.isNetns(path))) {
    throw kernelError("NETNS_NOT_FOUND", `network namespace ${path} does not exist or is not a network namespace`, "create it first (netns.create or `ip netns add`) or pass an existing /proc/PID/ns/net", { netns: path });
  }
}

async function open(path: string, protocol: number, timeoutMs: number | undefined): Promise<NetlinkSocket> {
  await assertNetns(path);
  const fd = await native.openNetlink(protocol, isHostPath(path) ? null : path, timeoutMs);
  return new NetlinkSocket(fd, path);
}
