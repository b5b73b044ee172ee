/**
 * The UDP sockets forwarded queries leave from. Creating a socket per query costs more than
 * the rest of forwarding together; sharing a few keeps what a fresh socket is for: each has a
 * random source port, every query a random id unused on its socket, an answer is accepted only
 * from the server asked with that id, and a socket is retired after {@link USES_PER_SOCKET}
 * queries, so an off-path attacker never has one port to aim at for long.
 */
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";

/** Sockets per address family. */
const POOL_SIZE = 8;
/** Queries a socket carries before it is replaced. */
const USES_PER_SOCKET = 256;

type Family = "udp4" | "udp6";

interface Pending {
  readonly server: string;
  readonly port: number;
  readonly settle: (msg: Buffer | null) => void;
}

class Member {
  readonly socket: Socket;
  readonly pending = new Map<number, Pending>();
  uses = 0;
  retired = false;

  constructor(family: Family) {
    this.socket = createSocket(family);
    // Never what keeps a daemon alive.
    this.socket.unref();
    this.socket.on("message", (msg, from) => {
      if (msg.length < 12) return;
      const p = this.pending.get(msg.readUInt16BE(0));
      if (p && from.address === p.server && from.port === p.port) p.settle(msg);
    });
    this.socket.on("error", () => {
      this.retired = true;
      for (const p of [...this.pending.values()]) p.settle(null);
    });
  }

  release(id: number): void {
    this.pending.delete(id);
    if (this.retired && this.pending.size === 0) this.close();
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }
}

export class UdpPool {
  private readonly members: Record<Family, Member[]> = { udp4: [], udp6: [] };
  private next = 0;

  /**
   * Sends `query` to server:port under a fresh id (written into a copy) and resolves with the
   * answer carrying that id from that server, or null after `timeoutMs` or on a socket error.
   */
  ask(server: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer | null> {
    const member = this.pick(server.includes(":") ? "udp6" : "udp4");
    let id = randomInt(0, 0x10000);
    while (member.pending.has(id)) id = randomInt(0, 0x10000);
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    return new Promise((resolve) => {
      let finished = false;
      const settle = (msg: Buffer | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        member.release(id);
        resolve(msg);
      };
      const timer = setTimeout(() => settle(null), timeoutMs);
      member.pending.set(id, { server, port, settle });
      member.socket.send(out, port, server, (err) => {
        if (err) settle(null);
      });
    });
  }

  /** Closes every socket; queries in flight get null. Later calls open new ones. */
  close(): void {
    for (const family of ["udp4", "udp6"] as const) {
      for (const m of this.members[family].splice(0)) {
        for (const p of [...m.pending.values()]) p.settle(null);
        m.close();
      }
    }
  }

  private pick(family: Family): Member {
    const list = this.members[family];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.retired) list.splice(i, 1);
    let member: Member;
    if (list.length < POOL_SIZE) {
      member = new Member(family);
      list.push(member);
    } else member = list[this.next++ % list.length]!;
    if (++member.uses >= USES_PER_SOCKET) {
      // Takes no more queries; closes once its last answer is in.
      member.retired = true;
    }
    return member;
  }
}
