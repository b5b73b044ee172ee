/**
 * The userland proxy as drivers see it: published-port traffic the kernel's DNAT cannot
 * carry (from the host itself, hairpin, 6-to-4) goes through it. The daemon owns the
 * implementation (netd's is one `netd-proxy` process for all ports, from @netd/kernel) and
 * hands it to a driver through the driver's factory options; a driver never spawns a
 * process or binds a proxy socket itself.
 */

/** One proxied binding: accept on hostIp:hostPort, forward to containerIp:containerPort. */
export interface UserlandProxySpec {
  readonly protocol: "tcp" | "udp";
  /** The host address to listen on ("0.0.0.0", "::" or one address); IPv6 sockets are v6-only. */
  readonly hostIp: string;
  readonly hostPort: number;
  /** May be of the other family (6-to-4: listen on IPv6, connect to IPv4). */
  readonly containerIp: string;
  readonly containerPort: number;
}

/** A binding being served. */
export interface UserlandProxyListener {
  readonly spec: UserlandProxySpec;
  /**
   * Stops serving the binding and ends its flows; the host port is free for other processes
   * once it resolves. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * The proxy of one driver instance. The driver calls `start` when it acquires a binding
 * that needs the proxy (also when it restores bindings after a daemon restart: the
 * implementation then adopts a binding that survived the restart instead of binding again)
 * and `close` on the listener when it releases it.
 */
export interface UserlandProxy {
  /**
   * Binds the host socket (the port stays reserved against other processes while served)
   * and starts forwarding. Rejects with the system error (`code` "EADDRINUSE",
   * "EADDRNOTAVAIL", …) when the bind fails; nothing stays bound then.
   */
  start(spec: UserlandProxySpec): Promise<UserlandProxyListener>;
  /** Number of bindings started through this instance and not closed. */
  count(): number;
  /** Closes every listener started through this instance (driver shutdown). */
  close(): Promise<void>;
}
