import type { HostPortReserver, PortAllocator, PortReservation, Protocol } from "@netd/driverapi";
import { NetdAggregateError, isNetdError } from "@netd/driverapi";
import type { IpAddress } from "@netd/driverapi";
import { bindHostSocket, sctpUnsupported } from "./bind-socket.js";
import type { BindSocket, BoundSocket } from "./bind-socket.js";
import { bindFailed } from "./errors.js";
import { checkAddresses, checkProtocol, checkRange } from "./validate.js";

/** Attempts per reservation, as in the reference OS allocator (§7.2). */
export const MAX_BIND_ATTEMPTS = 10;

/** Options of {@link createOsPortReserver}. */
export interface OsPortReserverOptions {
  /** The allocator that does the bookkeeping; the reserver marks and releases ports in it. */
  readonly allocator: PortAllocator;
  /**
   * Binds one socket. Unset: {@link bindHostSocket} (TCP and UDP; SCTP is refused with
   * UNSUPPORTED before anything is allocated). An injected function gets every protocol.
   */
  readonly bind?: BindSocket;
}

async function closeAll(sockets: readonly BoundSocket[]): Promise<unknown[]> {
  const results = await Promise.allSettled([...sockets].reverse().map((s) => s.close()));
  return results.flatMap((r): unknown[] => (r.status === "rejected" ? [r.reason as unknown] : []));
}

/**
 * Creates a {@link HostPortReserver}: allocates a port in `allocator`, then binds a real
 * socket on every address so no other process can take the port while it is published.
 * The daemon creates one next to its allocator; drivers call `reserve` when they publish
 * a port and `release` on the result when they unpublish it.
 *
 * `reserve` validates everything first. If a bind fails, it closes what it opened and tries
 * another port, up to {@link MAX_BIND_ATTEMPTS} times; ports that failed stay marked until
 * the call ends so that each attempt gets a new one, then they are released. It does not
 * retry an explicit single port, PORTS_EXHAUSTED, or a NetdError from `bind`. A failed call
 * leaves nothing allocated or bound. Errors: the allocator's, HOST_PORT_IN_USE /
 * PORT_BIND_FAILED ("failed to bind host port 0.0.0.0:8080/tcp: address already in use"),
 * UNSUPPORTED for SCTP with the default binder.
 */
export function createOsPortReserver(options: OsPortReserverOptions): HostPortReserver {
  const { allocator } = options;
  const bind = options.bind ?? bindHostSocket;
  const sctpBindable = options.bind !== undefined;

  const bindAll = async (hosts: readonly IpAddress[], protocol: Protocol, port: number): Promise<BoundSocket[]> => {
    const sockets: BoundSocket[] = [];
    for (const host of hosts) {
      try {
        sockets.push(await bind({ address: host.text, family: host.family, port, protocol }));
      } catch (error) {
        await closeAll(sockets);
        throw isNetdError(error) ? error : bindFailed(host.text, port, protocol, error);
      }
    }
    return sockets;
  };

  return {
    async reserve(addresses, protocol, start, end, requestOptions) {
      checkProtocol(protocol);
      checkRange(start, end);
      const hosts = checkAddresses(addresses);
      if (protocol === "sctp" && !sctpBindable) throw sctpUnsupported();
      const texts = hosts.map((h) => h.text);
      const single = start === end && start > 0;
      const failed: number[] = [];
      let lastError: unknown;
      try {
        for (let attempt = 0; attempt < (single ? 1 : MAX_BIND_ATTEMPTS); attempt++) {
          let port: number;
          try {
            port = allocator.requestPortsInRange(texts, protocol, start, end, requestOptions);
          } catch (error) {
            // The range ran out because of our own failed ports: the bind error says more.
            if (failed.length > 0 && isNetdError(error) && error.code === "PORTS_EXHAUSTED") throw lastError;
            throw error;
          }
          try {
            const sockets = await bindAll(hosts, protocol, port);
            return makeReservation(allocator, texts, protocol, port, sockets);
          } catch (error) {
            failed.push(port);
            lastError = error;
            const retryable = isNetdError(error) && (error.code === "HOST_PORT_IN_USE" || error.code === "PORT_BIND_FAILED");
            if (!retryable) throw error;
          }
        }
        throw lastError;
      } finally {
        for (const port of failed) for (const text of texts) allocator.releasePort(text, protocol, port);
      }
    },
  };
}

function makeReservation(
  allocator: PortAllocator,
  addresses: readonly string[],
  protocol: Protocol,
  port: number,
  sockets: readonly BoundSocket[],
): PortReservation {
  let released: Promise<void> | undefined;
  return {
    port,
    addresses,
    protocol,
    release() {
      // Close first, then release: the port must not be handed out while still bound.
      released ??= closeAll(sockets).then((errors) => {
        for (const address of addresses) allocator.releasePort(address, protocol, port);
        if (errors.length > 0) throw new NetdAggregateError(`failed to close the sockets holding host port ${port}/${protocol}`, errors);
      });
      return released;
    },
  };
}
