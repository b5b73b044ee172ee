/**
 * The daemon's userland proxy: one netd-proxy process for every published port of every
 * driver, started (or, after a daemon crash, found running) before the drivers restore, so
 * the restore adopts the bindings that survived; `reconcile` then drops the ones no longer
 * published. A graceful stop ends the proxy with the drivers' bindings; a killed daemon
 * leaves it serving until the next daemon attaches. Its control socket and log live in the
 * data directory.
 */
import { join } from "node:path";
import type { Logger } from "@netd/driverapi";
import { createUserlandProxy, type NetdUserlandProxy } from "@netd/kernel";
import type { EventBus } from "../api/events.js";

/** Control socket of the proxy inside the data directory. */
export const PROXY_SOCKET = "proxy.sock";
/** The proxy's own log (stderr), appended, inside the data directory. */
export const PROXY_LOG = "proxy.log";

/** The proxy with what the daemon tracks about it for /metrics. */
export interface DaemonProxy {
  readonly proxy: NetdUserlandProxy;
  /** Times the proxy had died and was started again by this daemon. */
  restarts(): number;
}

/**
 * The handle on the proxy of `dataDir`; events go to the bus as Type "proxy". No process is
 * started or attached until `proxy.open()`, so the drivers can get their views before.
 */
export function createDaemonProxy(options: { dataDir: string; events: EventBus; log?: Logger }): DaemonProxy {
  let restarts = 0;
  const proxy = createUserlandProxy({
    socketPath: join(options.dataDir, PROXY_SOCKET),
    logPath: join(options.dataDir, PROXY_LOG),
    ...(options.log ? { log: options.log } : {}),
    onEvent: (e) => {
      if (e.type === "restarted") restarts++;
      options.events.emit("proxy", e.type, String(e.pid), { pid: String(e.pid), bindings: String(e.bindings), lost: String(e.lost) });
    },
  });
  return { proxy, restarts: () => restarts };
}
