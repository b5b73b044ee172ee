/** Port publishing types shared by core, drivers and the port allocator. */

/** A transport protocol that can be published. */
export type Protocol = "tcp" | "udp" | "sctp";

/**
 * A requested port binding of a sandbox, one per container port (Docker's `PortBindings`
 * with container ranges expanded). Host fields may be unset: `hostIp` null means every
 * address of both families ("0.0.0.0" and "::"), `hostPortStart` 0 means an ephemeral port.
 */
export interface PortBinding {
  readonly protocol: Protocol;
  readonly containerPort: number;
  readonly hostIp: string | null;
  /** First acceptable host port; 0 = any ephemeral port. */
  readonly hostPortStart: number;
  /** Last acceptable host port; equals `hostPortStart` for one port, 0 when start is 0. */
  readonly hostPortEnd: number;
}

/** A port the container exposes without a host binding (Docker's `ExposedPorts`). */
export interface ExposedPort {
  readonly protocol: Protocol;
  readonly port: number;
}

/**
 * A binding as it is in effect (what inspect shows): one host address, one host port.
 * Routed bindings have `hostPort` 0 and `hostIp` "0.0.0.0" or "::" (inspect renders "").
 */
export interface OperationalBinding {
  readonly protocol: Protocol;
  readonly containerIp: string;
  readonly containerPort: number;
  readonly hostIp: string;
  readonly hostPort: number;
}

/** One allocated host port, for restore. */
export interface AllocatedPort {
  readonly address: string;
  readonly protocol: Protocol;
  readonly port: number;
}

/**
 * Host-port bookkeeping (pure: no sockets). Implemented by `@netd/portallocator`; the daemon
 * owns one instance and hands it to drivers through the context.
 *
 * The dual-stack rule: one call returns ONE host port that is free on EVERY given address,
 * or fails. IPv4 and IPv6 never conflict; a specific address conflicts with the unspecified
 * address of its family and the reverse.
 */
export interface PortAllocator {
  /**
   * Allocates one port valid on all `addresses`. `start == end > 0` asks for that port;
   * `start == end == 0` asks for an ephemeral port in the default range; otherwise the range.
   * `prefer` is tried first when it lies in the range and is free.
   * Throws a NetdError (`PORT_ALREADY_ALLOCATED`, `PORTS_EXHAUSTED`, `INVALID_PORT_RANGE`,
   * `UNKNOWN_PROTOCOL`) naming the values.
   */
  requestPortsInRange(
    addresses: readonly string[],
    protocol: Protocol,
    start: number,
    end: number,
    options?: { readonly prefer?: number },
  ): number;
  /** Releases `port` on `address` only; unknown address or port is a no-op. */
  releasePort(address: string, protocol: Protocol, port: number): void;
  /** Forgets every allocation. */
  releaseAll(): void;
  /** Re-marks ports as allocated exactly (startup restore); conflicts throw. */
  restore(entries: readonly AllocatedPort[]): void;
}

/** Sockets held open so that no other process can take a published port. */
export interface PortReservation {
  readonly port: number;
  readonly addresses: readonly string[];
  readonly protocol: Protocol;
  /** Closes the sockets and releases the port in the allocator. Idempotent. */
  release(): Promise<void>;
}

/**
 * Allocates a port and binds real sockets on every address (TCP bound and listening but
 * never accepting, UDP bound). Retries with another port when a bind fails, except for an
 * explicit single port.
 */
export interface HostPortReserver {
  reserve(
    addresses: readonly string[],
    protocol: Protocol,
    start: number,
    end: number,
    options?: { readonly prefer?: number },
  ): Promise<PortReservation>;
}
