/** The userland proxy's contract with the publisher: @netd/driverapi's UserlandProxy. */
import type { UserlandProxy, UserlandProxyListener, UserlandProxySpec } from "@netd/driverapi";

/** One proxied binding: listen on hostIp:hostPort, forward to containerIp:containerPort. */
export type ProxySpec = UserlandProxySpec;

/** A running listener. */
export type ProxyListener = UserlandProxyListener;

/**
 * All proxies of one driver. The publisher calls `start` when it acquires a NAT binding
 * while the driver's `userlandProxy` option is on, and `close` on the listener when it
 * releases it. The daemon passes netd-proxy's implementation (factory option `proxy`);
 * without it the in-process fallback of this folder is used (tests, embedding).
 */
export type ProxyManager = UserlandProxy;
