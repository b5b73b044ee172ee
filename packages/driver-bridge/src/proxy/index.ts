/** The userland proxy (TCP and UDP, in the daemon's process). */
export { createProxyManager } from "./manager.js";
export { UDP_IDLE_MS } from "./udp.js";
export type { ProxyListener, ProxyManager, ProxySpec } from "./types.js";
