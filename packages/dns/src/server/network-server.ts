/**
 * The DNS server of one network: UDP and TCP on port 53 of each of its gateway addresses.
 * A container cannot use its gateway's address, so the port is never one a container could
 * hold. Only queries whose source lies in the network's subnets are answered; others are
 * dropped silently (a sandbox on network Y must not read X's names through X's gateway).
 */
import { createSocket } from "node:dgram";
import type { Socket as UdpSocket } from "node:dgram";
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import type { ReplyCache } from "./reply-cache.js";
import type { Forwarder } from "../forward/forwarder.js";
import { readFramed, writeFramed } from "./framing.js";

/** Idle TCP connections are closed after this long, and at most this many are open per network. */
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 64;
const BIND_RETRIES = 40;
const BIND_RETRY_MS = 250;

export interface NetworkServerOptions {
  readonly addresses: readonly string[];
  readonly port: number;
  readonly forwarder: Forwarder;
  /** The current tables' answers; read on every query so table swaps take effect at once. */
  readonly context: () => ReplyCache;
  readonly onError: (address: string, error: unknown) => void;
}

export class NetworkServer {
  private readonly udp: UdpSocket[] = [];
  private readonly tcp: Server[] = [];
  private readonly connections = new Set<Socket>();
  private readonly bound = new Set<string>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: NetworkServerOptions) {}

  /**
   * Binds every address not bound yet (UDP then TCP); an address that fails is reported and
   * skipped. One not yet usable (EADDRNOTAVAIL: the gateway address is not configured yet, or
   * IPv6 duplicate address detection still runs) is retried in the background for a few
   * seconds, and again at every later call (the daemon calls this after each change).
   */
  async start(): Promise<void> {
    await Promise.all(this.options.addresses.filter((a) => !this.bound.has(a) && !this.retries.has(a)).map((a) => this.bind(a, BIND_RETRIES)));
  }

  private async bind(address: string, retries: number): Promise<void> {
    this.retries.delete(address);
    if (this.stopped || this.bound.has(address)) return;
    let udp: UdpSocket | null = null;
    try {
      udp = await this.bindUdp(address);
      const tcp = await this.bindTcp(address);
      if (this.stopped) {
        udp.close();
        tcp.close();
        return;
      }
      this.bound.add(address);
      this.udp.push(udp);
      this.tcp.push(tcp);
    } catch (e) {
      udp?.close();
      if ((e as NodeJS.ErrnoException).code === "EADDRNOTAVAIL") {
        if (retries > 0) this.retries.set(address, setTimeout(() => void this.bind(address, retries - 1), BIND_RETRY_MS));
        return;
      }
      this.options.onError(address, e);
    }
  }

  /** The addresses served now, in the order given (an address not configured on the host is not). */
  listening(): string[] {
    return this.options.addresses.filter((a) => this.bound.has(a));
  }

  /** Closes every socket and connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    for (const c of this.connections) c.destroy();
    await Promise.all([
      ...this.udp.map((s) => new Promise<void>((r) => s.close(() => r()))),
      ...this.tcp.map((s) => new Promise<void>((r) => s.close(() => r()))),
    ]);
  }

  private bindUdp(address: string): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: address.includes(":") ? "udp6" : "udp4" });
      socket.once("error", reject);
      socket.on("message", (msg, from) => this.onUdp(socket, msg, from.address, from.port));
      socket.bind({ address, port: this.options.port, exclusive: true }, () => {
        socket.off("error", reject);
        socket.on("error", (e) => this.options.onError(address, e));
        resolve(socket);
      });
    });
  }

  private bindTcp(address: string): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((c) => this.onTcp(c));
      server.maxConnections = MAX_TCP_CONNECTIONS;
      server.once("error", reject);
      server.listen({ host: address, port: this.options.port, exclusive: true }, () => {
        server.off("error", reject);
        resolve(server);
      });
    });
  }

  private onUdp(socket: UdpSocket, msg: Buffer, from: string, port: number): void {
    const ctx = this.options.context();
    if (!ctx.inSubnets(from)) return;
    const outcome = ctx.handle(msg, "udp", from);
    if (outcome.kind === "reply") socket.send(outcome.data, port, from);
    else if (outcome.kind === "forward") {
      void this.options.forwarder.forward(outcome.query, "udp", outcome.raw).then((data) => {
        if (data) socket.send(data, port, from);
      });
    }
  }

  private onTcp(c: Socket): void {
    const from = (c.remoteAddress ?? "").replace(/^::ffff:/, "");
    if (!this.options.context().inSubnets(from)) return void c.destroy();
    this.connections.add(c);
    c.setTimeout(TCP_IDLE_MS, () => c.destroy());
    c.on("close", () => this.connections.delete(c));
    c.on("error", () => c.destroy());
    readFramed(
      c,
      (msg) => {
        const outcome = this.options.context().handle(msg, "tcp", from);
        if (outcome.kind === "reply") writeFramed(c, outcome.data);
        else if (outcome.kind === "forward") {
          void this.options.forwarder.forward(outcome.query, "tcp", outcome.raw).then((data) => {
            if (data && !c.destroyed) writeFramed(c, data);
          });
        } else c.destroy();
      },
      () => c.destroy(),
    );
  }
}
