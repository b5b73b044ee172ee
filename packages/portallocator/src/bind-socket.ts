import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import type { Protocol } from "@netd/driverapi";
import { NetdError } from "@netd/driverapi";

/** What to bind: one canonical address (see `parseHostAddress`), its family, a port. */
export interface BindRequest {
  readonly address: string;
  readonly family: 4 | 6;
  readonly port: number;
  readonly protocol: Protocol;
}

/** A socket held open to keep a host port; `close` resolves once the port is free again. */
export interface BoundSocket {
  close(): Promise<void>;
}

/**
 * Binds one socket, or rejects with the system error (`code` "EADDRINUSE" etc.). Injected
 * into `createOsPortReserver` so unit tests need no sockets.
 */
export type BindSocket = (request: BindRequest) => Promise<BoundSocket>;

// Enough for the kernel to hold a few handshakes; nothing is ever served (see below).
const BACKLOG = 8;

/**
 * The default {@link BindSocket}, with Node's own sockets. What the sockets do:
 *
 * - TCP: a listening `net.Server` (`exclusive: true`, backlog 8; libuv sets SO_REUSEADDR
 *   as the reference does; IPv6 with `ipv6Only`). Node cannot attach the reference's
 *   drop-all BPF filter, and cannot listen without accepting, so a connection that reaches
 *   the socket completes its handshake, is accepted, and is reset at once (RST) without a
 *   byte read. Published traffic is DNATed to the container before it reaches the host
 *   socket, so only connections that bypass the NAT rules ever see that reset.
 * - UDP: a bound `dgram` socket (`udp6` with `ipv6Only` for IPv6). Datagrams that reach it
 *   are read by Node and dropped (no "message" listener).
 * - SCTP: Node has no SCTP sockets; this rejects with UNSUPPORTED.
 *
 * The sockets keep the process alive until closed, as a held reservation should.
 */
export const bindHostSocket: BindSocket = (request) => {
  switch (request.protocol) {
    case "tcp":
      return listenTcp(request);
    case "udp":
      return bindUdp(request);
    default:
      return Promise.reject(sctpUnsupported());
  }
};

/** The error for SCTP reservations with the default binder. */
export function sctpUnsupported(): NetdError {
  return new NetdError({
    code: "UNSUPPORTED",
    category: "unsupported",
    message: "SCTP host ports cannot be reserved: Node.js has no SCTP sockets",
    hint: "publish the port over tcp or udp, or inject a bind function that supports SCTP",
  });
}

function listenTcp({ address, family, port }: BindRequest): Promise<BoundSocket> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("connection", (socket) => socket.resetAndDestroy());
    server.once("error", (error) => {
      server.close();
      reject(error);
    });
    server.listen({ host: address, port, exclusive: true, backlog: BACKLOG, ipv6Only: family === 6 }, () => {
      server.removeAllListeners("error");
      // An error on a listening server (none is expected) must not crash the daemon.
      server.on("error", () => undefined);
      resolve({ close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function bindUdp({ address, family, port }: BindRequest): Promise<BoundSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(family === 4 ? { type: "udp4" } : { type: "udp6", ipv6Only: true });
    socket.once("error", (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ address, port, exclusive: true }, () => {
      socket.removeAllListeners("error");
      socket.on("error", () => undefined);
      resolve({ close: () => new Promise((done) => socket.close(() => done())) });
    });
  });
}
