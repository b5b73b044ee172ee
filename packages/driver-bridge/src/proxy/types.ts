/** The userland proxy's contract with the publisher. */

/** One proxied binding: listen on hostIp:hostPort, forward to containerIp:containerPort. */
export interface ProxySpec {
  readonly protocol: "tcp" | "udp";
  /** The host address to listen on ("0.0.0.0", "::" or one address). */
  readonly hostIp: string;
  readonly hostPort: number;
  /** May be of the other family (6-to-4: listen on IPv6, connect to IPv4). */
  readonly containerIp: string;
  readonly containerPort: number;
}

/** A running listener. */
export interface ProxyListener {
  readonly spec: ProxySpec;
  /** Stops listening and ends every flow of this listener. Idempotent. */
  close(): Promise<void>;
}

/**
 * All proxies of one driver, in the daemon's own process (one listener per binding, no
 * child processes). The publisher calls `start` when it acquires a NAT binding while
 * the driver's `userlandProxy` option is on, and `close` on the listener when it releases it.
 */
export interface ProxyManager {
  /**
   * Binds the listening socket and starts forwarding. Rejects with the system error
   * (`code` "EADDRINUSE", "EADDRNOTAVAIL", …) when the bind fails; nothing stays open then.
   */
  start(spec: ProxySpec): Promise<ProxyListener>;
  /** Number of running listeners. */
  count(): number;
  /** Closes every listener (daemon shutdown). */
  close(): Promise<void>;
}
