/**
 * @netd/netlink-native: the small N-API addon under @netd/kernel. It does system calls and
 * nothing else; message encoding, decoding and validation live in TypeScript.
 *
 * Every function that may block runs on the libuv thread pool and returns a Promise, so the
 * JS thread never waits for the kernel. Functions that need to be inside a network
 * namespace run on a throwaway thread that enters it with setns(2); the JS thread and the
 * pool threads never change namespace.
 *
 * Rejections are `Error`s with `errno` (positive number), `code` ("EEXIST", ...) and
 * `syscall` (what failed, with the path when there is one).
 */

/** An Error from the addon. */
export interface NativeError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
}

/** Path of a network namespace file: `/run/netns/NAME`, `/proc/PID/ns/net`. */
export type NsPath = string;

/** NETLINK_ROUTE (0): rtnetlink. */
export declare const NETLINK_ROUTE: 0;
/** NETLINK_NETFILTER (12): nfnetlink (ctnetlink, ...). */
export declare const NETLINK_NETFILTER: 12;

/**
 * Opens a netlink socket of `protocol` inside the namespace at `nsPath` (null: the
 * process's own namespace), bound with a kernel-assigned port id, with NETLINK_EXT_ACK and
 * NETLINK_CAP_ACK enabled and a receive timeout of `timeoutMs` (default 10000).
 * Resolves to the file descriptor; the socket stays in that namespace for its lifetime.
 * Call {@link closeNetlink} when done. For a namespace on a kernel filesystem (see
 * {@link isNetns}) the calling thread enters it, opens the socket and returns (the promise is
 * settled when the call returns); otherwise a pool thread starts a thread that enters it.
 */
export declare function openNetlink(protocol: number, nsPath: NsPath | null, timeoutMs?: number): Promise<number>;

/**
 * Sends `request` (one or more complete netlink messages, each with its own sequence
 * number) as one datagram to the kernel, then receives until every message of the request
 * has been answered by NLMSG_ERROR (an ACK, errno 0, or an error) or NLMSG_DONE (the end
 * of a dump). Resolves to the raw reply datagrams in arrival order; decoding, including
 * the errors and their NLMSGERR_ATTR_MSG text, is the caller's job.
 *
 * Every non-dump message must carry NLM_F_ACK, or the call waits until the timeout.
 * Only one transact may be in flight per socket: serialize the calls. Rejects only on a
 * system call failure or a timeout (EAGAIN).
 */
export declare function transact(fd: number, request: Uint8Array): Promise<Buffer[]>;

/**
 * {@link transact}, sent from the calling (JS) thread: when the kernel has answered every
 * message by the time `sendto` returns (rtnetlink processes address, route and neighbour
 * changes, link creation and single-object gets inside `sendto`), returns the reply datagrams
 * at once, with no hand-off to the libuv pool; otherwise returns a Promise that waits for the
 * rest on the pool. Throws (synchronously) on a system call failure. Not for requests whose
 * processing waits in the kernel, such as a link delete or taking a link down (an RCU grace
 * period, ~20 ms): `sendto` would hold the JS thread that long. Same rules as transact: one
 * in flight per socket, NLM_F_ACK on every non-dump message.
 */
export declare function transactInline(fd: number, request: Uint8Array): Buffer[] | Promise<Buffer[]>;

/** Closes a socket from {@link openNetlink}. Call it only when no transact is in flight on it. */
export declare function closeNetlink(fd: number): void;

/** Options of {@link nftRun}. */
export interface NftRunOptions {
  /** Run inside this namespace (the context is created on a thread that entered it); absent or null: the process's namespace. */
  readonly netns?: NsPath | null;
  /** JSON output (`nft -j`). */
  readonly json?: boolean;
  /** Show rule handles (`nft -a`). */
  readonly handles?: boolean;
  /** Echo what was added (`nft -e`). */
  readonly echo?: boolean;
  /** Check only, change nothing (`nft -c`). */
  readonly dryRun?: boolean;
}

/** What libnftables returned: `rc` 0 on success; `out` the output; `err` the error text (with the kernel's message). */
export interface NftRunResult {
  readonly rc: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs nft commands (text syntax, as for `nft -f -`; one call is one atomic transaction)
 * with libnftables in process. A failed command resolves with `rc !== 0` and the message
 * in `err`; the Promise rejects only when the namespace cannot be entered. Calls are
 * serialized inside the addon.
 */
export declare function nftRun(commands: string, options?: NftRunOptions): Promise<NftRunResult>;

/**
 * Creates network namespace `name` as `ip netns add` does: /run/netns made a shared
 * mount, `/run/netns/NAME` bind-mounted from a thread that unshared CLONE_NEWNET, with
 * `lo` brought up. Resolves to the path. Rejects with EEXIST if the name is taken; nothing
 * is left behind on failure. `name` must be non-empty, without '/', not "." or "..".
 */
export declare function createNetns(name: string): Promise<NsPath>;

/**
 * Unmounts (MNT_DETACH) and unlinks a namespace file, like `ip netns delete`. Resolves to
 * false if the file did not exist, true otherwise.
 */
export declare function deleteNetns(path: NsPath): Promise<boolean>;

/**
 * True if `path` can be opened and is a network namespace (NS_GET_NSTYPE). Like
 * {@link netnsIdentity} and {@link openNetns}, it runs on the calling thread (the promise is
 * settled when it returns) for /proc/PID/ns/net and direct children of /run/netns,
 * /var/run/netns and (/var)/run/docker/netns, where namespaces live on kernel filesystems; other
 * paths could be on a slow filesystem and go to the libuv pool. A FIFO never blocks (O_NONBLOCK).
 */
export declare function isNetns(path: string): Promise<boolean>;

/**
 * "dev:ino" of the namespace file when `path` can be opened and is a network namespace,
 * null otherwise: {@link isNetns} and a stat in one call. Two paths of one namespace
 * (/proc/PID/ns/net and its /run/netns bind mount) give the same identity.
 */
export declare function netnsIdentity(path: string): Promise<string | null>;

/**
 * Opens `path` (read-only, close-on-exec) when it is a network namespace and resolves to the
 * descriptor, else to null: {@link isNetns} and an open in one call, for IFLA_NET_NS_FD.
 * The caller closes the descriptor (`fs.closeSync`).
 */
export declare function openNetns(path: string): Promise<number | null>;

/**
 * Reads `file` (at most 1 MiB) from a thread inside `nsPath` (null: the process's
 * namespace). Use it for /proc/sys/net/..., whose values depend on the opening thread's
 * namespace. A file under /proc/sys/ with a null path or a namespace file on the kernel's own
 * filesystems (/proc/PID/ns/net, /run/netns/NAME, …) is read on the calling thread, and the
 * promise is already settled when this returns; anything else goes to libuv's pool.
 */
export declare function readFileInNetns(nsPath: NsPath | null, file: string): Promise<string>;

/** Writes `data` to an existing `file` (truncating) from a thread inside `nsPath`; on the calling thread as for readFileInNetns. */
export declare function writeFileInNetns(nsPath: NsPath | null, file: string, data: string): Promise<void>;

/**
 * Raises the process's soft RLIMIT_NOFILE to its hard limit (a daemon holds a few fds per
 * sandbox) and returns the limits now in force. Synchronous; call once at start.
 */
export declare function raiseOpenFileLimit(): { soft: number; hard: number };

/**
 * Limits glibc's malloc to `n` arenas (mallopt M_ARENA_MAX); true when glibc accepted it.
 * Threads keep the arena they first allocated from, so call it before libuv's pool threads
 * do any work (at daemon start).
 */
export declare function limitMallocArenas(n: number): boolean;

/** Returns free malloc memory of every arena to the system (malloc_trim(0)); true when some was. */
export declare function trimMalloc(): boolean;

/**
 * Creates a socket of `protocol` bound to `ip`:`port` inside the namespace at `nsPath`
 * (null/absent: the process's own), TCP with SO_REUSEADDR and listening (backlog 511),
 * IPv6 ones v6-only. Resolves to the descriptor (close-on-exec), which the caller hands
 * to netd-proxy with {@link controlRequest} and then closes with {@link closeFd}.
 * Rejects with the bind error (`code` "EADDRINUSE", "EADDRNOTAVAIL", ...); nothing stays open then.
 * In the process's own namespace it runs on the calling thread (settled when it returns);
 * in another, on a pool thread that enters it.
 */
export declare function bindSocket(protocol: "tcp" | "udp", ip: string, port: number, nsPath?: NsPath | null): Promise<number>;

/**
 * Connects a SOCK_SEQPACKET unix socket to netd-proxy's control socket at `path`, with send
 * and receive timeouts of `timeoutMs` (default 2000). Rejects ("ENOENT", "ECONNREFUSED")
 * when no proxy listens there.
 */
export declare function controlConnect(path: string, timeoutMs?: number): Promise<number>;

/**
 * Sends one request message (with `passFd` attached by SCM_RIGHTS when >= 0; the caller
 * keeps its own copy) and resolves to the one reply message. One request in flight per
 * socket: serialize the calls. Rejects with "EAGAIN" on timeout, "ECONNRESET" when the proxy went away.
 */
export declare function controlRequest(fd: number, text: string, passFd?: number): Promise<string>;

/**
 * {@link controlRequest} for several requests in one thread-pool hop: `texts[i]` travels with
 * `passFds[i]` (-1: none); the requests are sent back to back (in chunks of 64) before their
 * replies are read, so netd-proxy handles them in one wake-up. Resolves to the replies in
 * request order. A transport failure (timeout, proxy gone) rejects the whole call: how many
 * requests the proxy handled is then unknown, so the caller should treat the connection as broken.
 * Throws a TypeError when the arrays are empty or differ in length.
 */
export declare function controlRequests(fd: number, texts: readonly string[], passFds: readonly number[]): Promise<string[]>;

/** Closes a descriptor from {@link bindSocket} or {@link controlConnect}. */
export declare function closeFd(fd: number): void;

/** Absolute path of the `netd-proxy` executable (build/Release/netd-proxy). */
export declare const proxyBinaryPath: string;
