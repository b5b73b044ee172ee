import { defineErrorCodes, NetdError } from "@netd/driverapi";
import type { Protocol } from "@netd/driverapi";

/**
 * Error codes of `@netd/portallocator`. Every error thrown by this package is a
 * `NetdError` carrying one of these codes (or `UNSUPPORTED` from `@netd/driverapi`).
 */
export const portErrorCodes = defineErrorCodes({
  PORT_ALREADY_ALLOCATED: {
    category: "conflict",
    description: "A specific host port is already allocated on an address of the request's conflict set.",
  },
  PORTS_EXHAUSTED: {
    category: "conflict",
    description: "Every port of the requested range is allocated (or kernel-reserved) on the conflict set.",
  },
  INVALID_PORT_RANGE: { category: "invalid", description: "A port range has one bound 0, end < start, or a bound outside 1-65535." },
  INVALID_PORT: { category: "invalid", description: "A single port (release, restore, prefer) is not an integer in 1-65535." },
  UNKNOWN_PROTOCOL: { category: "invalid", description: "The protocol is not tcp, udp or sctp." },
  NO_ADDRESSES: { category: "invalid", description: "A request named no host address." },
  INVALID_ADDRESS: { category: "invalid", description: "A host address is not a plain IPv4 or IPv6 address." },
  HOST_PORT_IN_USE: {
    category: "conflict",
    description: "Binding the reservation socket failed with EADDRINUSE: another process holds the port.",
  },
  PORT_BIND_FAILED: { category: "kernel", description: "Binding the reservation socket failed for another reason." },
});

/** `0.0.0.0:8080` or `[::]:8080`. */
export function formatHostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A specific port is taken in `address`'s conflict set; `holder` is the address that holds it. */
export function portAlreadyAllocated(address: string, protocol: Protocol, port: number, holder: string): NetdError {
  const where = holder === address ? "" : ` (held on ${holder})`;
  return new NetdError({
    code: "PORT_ALREADY_ALLOCATED",
    category: "conflict",
    message: `Bind for ${formatHostPort(address, port)} failed: port is already allocated`,
    hint: `${protocol} port ${port} is in use${where}; pick another host port or unpublish the binding that holds it`,
    details: { address, protocol, port, holder },
  });
}

/** No port of `start`-`end` is free on all `addresses` (PORTS_EXHAUSTED, not retried by the reserver). */
export function portsExhausted(addresses: readonly string[], protocol: Protocol, start: number, end: number, defaultRange: boolean): NetdError {
  const range = `${start}-${end}`;
  return new NetdError({
    code: "PORTS_EXHAUSTED",
    category: "conflict",
    message: "all ports are allocated",
    hint:
      `no ${protocol} port in ${defaultRange ? `the default range ${range}` : `range ${range}`} is free on ${addresses.join(", ")}; ` +
      (defaultRange
        ? "release published ports or widen net.ipv4.ip_local_port_range"
        : "widen the host port range or release published ports"),
    details: { addresses: [...addresses], protocol, start, end, defaultRange },
  });
}

/** `invalid port range: 8081-8080`. */
export function invalidPortRange(start: unknown, end: unknown): NetdError {
  return new NetdError({
    code: "INVALID_PORT_RANGE",
    category: "invalid",
    message: `invalid port range: ${String(start)}-${String(end)}`,
    hint: "use start == end == 0 for an ephemeral port, or 1 <= start <= end <= 65535",
    details: { start, end },
  });
}

/** `invalid <what>: 70000` for a single port (release, restore, prefer, reserved list). */
export function invalidPort(what: string, port: unknown): NetdError {
  return new NetdError({
    code: "INVALID_PORT",
    category: "invalid",
    message: `invalid ${what}: ${String(port)}`,
    hint: "a port is an integer from 1 to 65535",
    details: { port },
  });
}

/** `unknown protocol: icmp`. */
export function unknownProtocol(protocol: unknown): NetdError {
  return new NetdError({
    code: "UNKNOWN_PROTOCOL",
    category: "invalid",
    message: `unknown protocol: ${String(protocol)}`,
    hint: "use tcp, udp or sctp",
    details: { protocol },
  });
}

/** A request with an empty address list. */
export function noAddresses(): NetdError {
  return new NetdError({
    code: "NO_ADDRESSES",
    category: "invalid",
    message: "no host addresses given",
    hint: 'name at least one host address, e.g. "0.0.0.0" and "::" for every address of both families',
  });
}

/** `invalid host address 'x': <reason>`. */
export function invalidAddress(address: unknown, reason: string): NetdError {
  return new NetdError({
    code: "INVALID_ADDRESS",
    category: "invalid",
    message: `invalid host address '${String(address)}': ${reason}`,
    hint: 'use a plain IPv4 or IPv6 address such as "0.0.0.0", "127.0.0.1", "::" or "::1"',
    details: { address },
  });
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "cannot assign requested address",
  EACCES: "permission denied",
  EAFNOSUPPORT: "address family not supported by protocol",
};

/**
 * A failed reservation bind: `failed to bind host port 0.0.0.0:8080/tcp: address already
 * in use`. HOST_PORT_IN_USE (conflict) for EADDRINUSE, PORT_BIND_FAILED (kernel) otherwise.
 */
export function bindFailed(address: string, port: number, protocol: Protocol, cause: unknown): NetdError {
  const errno = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined;
  const reason = (errno && ERRNO_TEXT[errno]) ?? (cause instanceof Error ? cause.message : String(cause));
  const inUse = errno === "EADDRINUSE";
  const where = formatHostPort(address, port);
  return new NetdError({
    code: inUse ? "HOST_PORT_IN_USE" : "PORT_BIND_FAILED",
    category: inUse ? "conflict" : "kernel",
    message: `failed to bind host port ${where}/${protocol}: ${reason}`,
    hint: inUse
      ? `another process holds ${protocol} port ${port} on ${address}; stop it or publish another host port`
      : errno === "EADDRNOTAVAIL"
        ? `${address} is not an address of this host; publish on an address the host has`
        : `the kernel refused the bind; check ${address} and port ${port}`,
    details: { address, port, protocol, errno },
    cause,
  });
}
