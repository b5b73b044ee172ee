/**
 * Sends a sandbox's query to the upstream resolvers, one after the other, each with its own
 * timeout, and returns the first answer; SERVFAIL when none answers in time. Over UDP each
 * attempt leaves from a pooled socket with a random port under a random id (udp-pool.ts);
 * over TCP from a fresh connection. Only an answer from the server asked, with that id, is
 * accepted.
 */
import { randomInt } from "node:crypto";
import { connect } from "node:net";
import * as packet from "dns-packet";
import type { DecodedPacket } from "dns-packet";
import { RCODE, buildError } from "../message/build.js";
import { readFramed, writeFramed } from "../server/framing.js";
import { UdpPool } from "./udp-pool.js";

export interface ForwarderOptions {
  /** The servers to ask, in order; read on every query. */
  readonly upstreams: () => readonly string[];
  /** Per upstream attempt; default 2000 ms. */
  readonly timeoutMs?: number;
  /** Queries forwarded at once; more are dropped (a flood must not exhaust sockets). Default 256. */
  readonly maxInFlight?: number;
  /** Upstream port; default 53 (unit tests use another on loopback). */
  readonly port?: number;
}

export class Forwarder {
  private inFlight = 0;
  private readonly pool = new UdpPool();
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly port: number;

  constructor(private readonly options: ForwarderOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.maxInFlight = options.maxInFlight ?? 256;
    this.port = options.port ?? 53;
  }

  /**
   * The answer for `query` (its id restored), SERVFAIL when every upstream failed, null when
   * over the in-flight limit. `raw`, the query as received, is sent as is with a fresh id
   * (no re-encoding); without it the decoded query is encoded.
   */
  async forward(query: DecodedPacket, transport: "udp" | "tcp", raw?: Buffer): Promise<Buffer | null> {
    if (this.inFlight >= this.maxInFlight) return null;
    this.inFlight++;
    try {
      for (const server of this.options.upstreams()) {
        const id = randomInt(0, 0x10000);
        const out = raw ? Buffer.from(raw) : packet.encode({ ...query, id, type: "query" });
        out.writeUInt16BE(id, 0);
        const got = await (transport === "udp" ? this.pool.ask(server, this.port, out, this.timeoutMs) : this.askTcp(server, out, id)).catch(() => null);
        if (got) {
          got.writeUInt16BE(query.id ?? 0, 0);
          return got;
        }
      }
      return buildError(query, RCODE.SERVFAIL);
    } finally {
      this.inFlight--;
    }
  }

  /** Closes the upstream sockets (queries in flight get SERVFAIL). */
  close(): void {
    this.pool.close();
  }

  private askTcp(server: string, raw: Buffer, id: number): Promise<Buffer | null> {
    return new Promise((resolve) => {
      const socket = connect({ host: server, port: this.port });
      let finished = false;
      const done = (value: Buffer | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(value);
      };
      const timer = setTimeout(() => done(null), this.timeoutMs);
      socket.on("error", () => done(null));
      readFramed(socket, (msg) => done(msg.length >= 12 && msg.readUInt16BE(0) === id ? msg : null), () => done(null));
      socket.on("connect", () => writeFramed(socket, raw));
    });
  }
}
