/** The in-process proxy manager: one listener per proxied binding. */
import type { Logger } from "@netd/driverapi";
import { listenTcp } from "./tcp.js";
import { listenUdp } from "./udp.js";
import type { ProxyListener, ProxyManager } from "./types.js";

/**
 * Creates the proxy manager of one driver instance. Listeners live in the calling process
 * and network namespace (the daemon runs in the host namespace).
 */
export function createProxyManager(log?: Logger): ProxyManager {
  const running = new Set<ProxyListener>();
  return {
    async start(spec) {
      const inner = spec.protocol === "tcp" ? await listenTcp(spec) : await listenUdp(spec);
      const listener: ProxyListener = {
        spec,
        close: () => {
          running.delete(listener);
          return inner.close();
        },
      };
      running.add(listener);
      log?.debug("userland proxy started", { ...spec });
      return listener;
    },
    count: () => running.size,
    async close() {
      await Promise.allSettled([...running].map((l) => l.close()));
    },
  };
}
