/**
 * createUserlandProxy: the daemon's handle on netd-proxy, the one process that serves every
 * published port the kernel's DNAT cannot. The daemon binds each listening socket here (so
 * it still reserves the port and sees bind conflicts), hands it over on the control socket
 * and closes its own copy. The proxy outlives the daemon; a restarted daemon attaches, the
 * drivers' restore adopts the bindings that survived and `reconcile` drops the rest. A
 * crashed proxy is started again and every binding is bound and handed over again.
 */
import type { Logger, UserlandProxy, UserlandProxyListener, UserlandProxySpec } from "@netd/driverapi";
import { Mutex } from "async-mutex";
import { bindSocket, closeFd, controlRequest, proxyBinaryPath } from "@netd/netlink-native";
import { createBindingQueue } from "./bindings.js";
import { exchange, type BatchRequest } from "./exchange.js";
import { kernelError } from "../linux/errors.js";
import { addRequest, expectOk, parseList, parseStats, type ProxyBindingInfo, type ProxyBindingStats } from "./protocol.js";
import { connectProxy, endHungProxy, spawnProxy, type ProxyConnection } from "./process.js";

/** Options of {@link createUserlandProxy}. */
export interface UserlandProxyOptions {
  /** The control socket path, e.g. `<dataDir>/proxy.sock`; one proxy per path. */
  readonly socketPath: string;
  /** The netd-proxy executable; default: the one built with @netd/netlink-native. */
  readonly binary?: string;
  /** File the proxy's log is appended to; default none. */
  readonly logPath?: string | null;
  /** Namespace path the listening sockets are bound in; default the daemon's own. */
  readonly netns?: string | null;
  /** UDP flow idle timeout in seconds; default the proxy's (90). */
  readonly udpIdleSeconds?: number;
  /**
   * How often the proxy is checked (ping) and restarted when gone; default 250 ms. A proxy this
   * daemon spawned is pinged at most once a second, and not when it answered a request within
   * that second: its exit is watched, so a crash is handled at once anyway.
   */
  readonly watchIntervalMs?: number;
  readonly log?: Logger;
  /** Called on every start, attach and restart of the proxy process. */
  readonly onEvent?: (event: UserlandProxyEvent) => void;
}

/** What happened to the proxy process. */
export interface UserlandProxyEvent {
  /** started: spawned at open; attached: found running (daemon restart); restarted: it had died and was started again. */
  readonly type: "started" | "attached" | "restarted";
  readonly pid: number;
  /** Bindings found in a running proxy (attached) or handed over again (restarted). */
  readonly bindings: number;
  /** restarted: bindings whose port could not be bound again. */
  readonly lost: number;
}

/** The daemon's handle; see the module comment for the order of calls. */
export interface NetdUserlandProxy {
  /** Attaches to the running proxy or starts one. Call once, before the drivers restore. */
  open(): Promise<UserlandProxyEvent>;
  /** A driver's view: its `close()` ends only the bindings started through it. */
  forDriver(): UserlandProxy;
  /** Drops the bindings found at `open` that no driver adopted since. Resolves to their ids. */
  reconcile(): Promise<string[]>;
  /** Per-binding counters from the proxy. */
  stats(): Promise<ProxyBindingStats[]>;
  /** The proxy's pid, null before open or while it is down. */
  pid(): number | null;
  /** Bindings served for this daemon. */
  count(): number;
  /** Stops watching and disconnects; the proxy keeps running with its bindings. */
  detach(): Promise<void>;
  /** Ends the proxy process (all bindings and flows) and disconnects. */
  stop(): Promise<void>;
}

/** How often a proxy this daemon spawned is pinged at most (a hang is all a ping can find there). */
const SPAWNED_PING_MS = 1000;

export function createUserlandProxy(options: UserlandProxyOptions): NetdUserlandProxy {
  const binary = options.binary ?? proxyBinaryPath;
  // A proxy this daemon spawned is watched by its exit too, so a crash is handled at once;
  // one found running (attached) only by the periodic ping.
  const onExit = (pid: number): void => {
    if (conn?.pid === pid) void watch(true);
  };
  const procOptions = { socketPath: options.socketPath, binary, logPath: options.logPath ?? null, onExit, ...(options.udpIdleSeconds === undefined ? {} : { udpIdleSeconds: options.udpIdleSeconds }) };
  const bind = (spec: UserlandProxySpec): Promise<number> => bindSocket(spec.protocol, spec.hostIp, spec.hostPort, options.netns ?? null);
  const mutex = new Mutex();
  const active = new Map<string, UserlandProxySpec>();
  const leftovers = new Map<string, ProxyBindingInfo>();
  let conn: ProxyConnection | null = null;
  /** True when `conn` is a proxy this daemon spawned (its exit is watched). */
  let spawned = false;
  /** When the proxy last answered a request (ms since the epoch). */
  let lastAnswer = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const unavailable = (): Error => kernelError("PROXY_UNAVAILABLE", "netd-proxy is not running", "it is restarted automatically; retry in a second");

  const request = async (text: string): Promise<string> => {
    if (!conn) throw unavailable();
    const reply = await controlRequest(conn.fd, text);
    lastAnswer = Date.now();
    return expectOk(text, reply);
  };

  const emit = (event: UserlandProxyEvent): UserlandProxyEvent => {
    options.log?.info(`userland proxy ${event.type}`, { ...event });
    options.onEvent?.(event);
    return event;
  };

  // The proxy died (crash, kill) or hangs: start a new one and hand every binding over again.
  const recover = async (): Promise<void> => {
    const old = conn;
    conn = null;
    if (old) {
      closeFd(old.fd);
      await endHungProxy(old.pid, options.socketPath);
    }
    conn = await spawnProxy(procOptions);
    spawned = true;
    leftovers.clear();
    let lost = 0;
    const failed = (spec: UserlandProxySpec, error: unknown): void => {
      lost++;
      options.log?.error("userland proxy: cannot serve a published port again after a proxy restart", { ...spec, error: String(error) });
    };
    const batch: BatchRequest[] = [];
    for (const spec of active.values()) {
      try {
        batch.push({
          text: addRequest(spec),
          fd: await bind(spec),
          settle: (r) => {
            if (!r.ok) failed(spec, r.error);
          },
        });
      } catch (error) {
        failed(spec, error);
      }
    }
    await exchange(conn.fd, batch);
    emit({ type: "restarted", pid: conn.pid, bindings: active.size - lost, lost });
  };

  // Checks the proxy answers, starts it again when not; the periodic watch skips a busy turn.
  function watch(queue = false): Promise<void> {
    if ((mutex.isLocked() && !queue) || stopped) return Promise.resolve();
    // A proxy this daemon spawned reports a crash through its exit at once; for it the ping
    // only finds a hang, so once a second is enough, and any answer within that second counts
    // (an idle daemon's pings were a pool round trip and a proxy wake-up four times a second).
    if (!queue && spawned && conn && Date.now() - lastAnswer < SPAWNED_PING_MS) return Promise.resolve();
    return mutex.runExclusive(async () => {
      if (stopped) return;
      try {
        if (conn) {
          await controlRequest(conn.fd, "ping");
          lastAnswer = Date.now();
          return;
        }
      } catch {
        options.log?.warn("userland proxy stopped answering; starting it again", { pid: conn?.pid });
      }
      await recover().catch((error: unknown) => options.log?.error("userland proxy: restart failed", { error: String(error) }));
    });
  }

  const bindings = createBindingQueue({
    mutex,
    active,
    leftovers,
    bind,
    connection: () => conn?.fd ?? null,
    unavailable,
    answered: () => void (lastAnswer = Date.now()),
    async broken(error) {
      // How much of the batch the proxy handled is unknown: a fresh proxy gets what is active.
      options.log?.warn("userland proxy: control exchange failed; starting it again", { pid: conn?.pid, error: String(error) });
      await recover().catch((e: unknown) => options.log?.error("userland proxy: restart failed", { error: String(e) }));
    },
    ...(options.log ? { log: options.log } : {}),
  });

  return {
    async open() {
      stopped = false;
      const found = await connectProxy(options.socketPath);
      conn = found ?? (await spawnProxy(procOptions));
      spawned = found === null;
      leftovers.clear();
      if (found) for (const b of parseList(await request("list"))) leftovers.set(b.id, b);
      timer = setInterval(() => void watch(), options.watchIntervalMs ?? 250);
      timer.unref();
      return emit({ type: found ? "attached" : "started", pid: conn.pid, bindings: leftovers.size, lost: 0 });
    },
    forDriver() {
      const mine = new Set<UserlandProxyListener>();
      return {
        async start(spec) {
          const listener = await bindings.start(spec);
          const tracked: UserlandProxyListener = {
            spec: listener.spec,
            close: () => {
              mine.delete(tracked);
              return listener.close();
            },
          };
          mine.add(tracked);
          return tracked;
        },
        count: () => mine.size,
        async close() {
          await Promise.allSettled([...mine].map((l) => l.close()));
        },
      };
    },
    reconcile: () =>
      mutex.runExclusive(async () => {
        const dropped = [...leftovers.keys()];
        for (const id of dropped) await request(`remove ${id}`).catch((error: unknown) => options.log?.warn("userland proxy: cannot drop a stale binding", { id, error: String(error) }));
        leftovers.clear();
        if (dropped.length > 0) options.log?.info("userland proxy: dropped bindings no longer published", { ids: dropped });
        return dropped;
      }),
    stats: () => mutex.runExclusive(async () => parseStats(await request("stats"))),
    pid: () => conn?.pid ?? null,
    count: () => active.size,
    async detach() {
      stopped = true;
      clearInterval(timer);
      await mutex.runExclusive(() => {
        if (conn) closeFd(conn.fd);
        conn = null;
      });
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await mutex.runExclusive(async () => {
        if (!conn) return;
        await controlRequest(conn.fd, "quit").catch(() => undefined);
        closeFd(conn.fd);
        conn = null;
        active.clear();
      });
    },
  };
}
