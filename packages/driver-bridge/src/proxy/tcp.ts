/** TCP proxying: one listening server per binding, one upstream connection per client. */
import type { Server, Socket } from "node:net";
import { connect, createServer } from "node:net";
import type { ProxySpec } from "./types.js";

// Enough for bursts of connects while the event loop is busy.
const BACKLOG = 511;

/** A listening TCP proxy; `close` destroys its live connections too. */
export interface TcpProxy {
  close(): Promise<void>;
}

/**
 * Listens on spec.hostIp:hostPort (IPv6 sockets are v6-only, so 0.0.0.0 and :: can be
 * served by different containers) and pipes each client to the container, keeping
 * half-close: when one side ends, the other side's write half is ended (FIN), and the
 * reverse direction keeps flowing until it ends too. A failed upstream connect resets the client.
 */
export function listenTcp(spec: ProxySpec): Promise<TcpProxy> {
  const live = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    live.add(client);
    const upstream = connect({ host: spec.containerIp, port: spec.containerPort, allowHalfOpen: true });
    live.add(upstream);
    const forget = (s: Socket) => () => live.delete(s);
    client.once("close", forget(client));
    upstream.once("close", forget(upstream));
    upstream.once("connect", () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on("error", () => {
      if (!client.destroyed) client.resetAndDestroy();
      upstream.destroy();
    });
    client.on("error", () => {
      upstream.resetAndDestroy();
      client.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: spec.hostIp, port: spec.hostPort, exclusive: true, backlog: BACKLOG, ipv6Only: spec.hostIp.includes(":") }, () => {
      server.removeListener("error", reject);
      server.on("error", () => undefined);
      let closed: Promise<void> | undefined;
      resolve({
        close() {
          closed ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const s of live) s.destroy();
            live.clear();
          });
          return closed;
        },
      });
    });
  });
}
