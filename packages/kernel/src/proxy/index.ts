/** netd-proxy, the userland proxy process (one for all published ports), and its control protocol. */
export { createUserlandProxy, type NetdUserlandProxy, type UserlandProxyEvent, type UserlandProxyOptions } from "./userland-proxy.js";
export type { ProxyBindingInfo, ProxyBindingStats } from "./protocol.js";
export { quitProxy } from "./process.js";
