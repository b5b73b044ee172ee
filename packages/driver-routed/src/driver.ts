/**
 * The routed driver: the bridge driver with every family forced to gateway mode `routed`
 * (`createBridgeDriver({ forceMode: "routed" })`), its own nft table and its own option
 * check. No policy lives here: the routed port rules are the bridge's publish/modes.ts
 * (openings from join to leave, gateway or not) and firewall/render-bridge.ts (opening
 * lookups, ICMP accept, no masquerade, no guard), the same code that serves
 * `gateway_mode_ipv4/ipv6=routed` on the bridge.
 */
import { createBridgeDriver, type BridgeDriver } from "@netd/driver-bridge";
import type { UserlandProxy } from "@netd/driverapi";
import { checkRoutedOptions } from "./options.js";

/** Options of {@link createRoutedDriver}; all optional. */
export interface RoutedDriverOptions {
  /** Driver name (`-d`); default "routed". */
  readonly name?: string;
  /**
   * netd's nft table for routed networks; default "netd_routed". Must differ from every
   * other driver instance's table (the bridge uses "netd"): each instance replaces its
   * whole table on network changes.
   */
  readonly table?: string;
  /** As the bridge's option: the userland proxy serves host-local and hairpin traffic. Default true. */
  readonly userlandProxy?: boolean;
  /** As the bridge's option: the daemon's userland proxy implementation; absent: the in-process fallback. */
  readonly proxy?: UserlandProxy;
}

/** The routed driver: a plain Driver. */
export type RoutedDriver = BridgeDriver;

/**
 * Creates the routed driver. Register it with core next to the bridge driver; the two
 * write different tables and can be used by one sandbox at the same time (a container on a
 * nat network and a routed network).
 */
export function createRoutedDriver(options: RoutedDriverOptions = {}): RoutedDriver {
  const inner = createBridgeDriver({ name: options.name ?? "routed", table: options.table ?? "netd_routed", forceMode: "routed", userlandProxy: options.userlandProxy ?? true, ...(options.proxy ? { proxy: options.proxy } : {}) });
  return {
    ...inner,
    async createNetwork(ctx, network) {
      checkRoutedOptions(network);
      await inner.createNetwork(ctx, network);
    },
  };
}
