import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { UdpPool } from "./udp-pool.js";

// Loopback only: a fake upstream on 127.0.0.4 (port nobody else uses) that echoes, misbehaves or stays silent.
const PORT = 25355;
type Mode = "echo" | "wrong-id" | "silent";

describe("UdpPool", () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  async function upstream(mode: () => Mode, ports: Set<number>): Promise<Socket> {
    const s = createSocket("udp4");
    s.on("message", (msg, from) => {
      ports.add(from.port);
      const m = mode();
      if (m === "silent") return;
      const out = Buffer.from(msg);
      if (m === "wrong-id") out.writeUInt16BE((msg.readUInt16BE(0) + 1) % 0x10000, 0);
      s.send(out, from.port, from.address);
    });
    await new Promise<void>((r) => s.bind(PORT, "127.0.0.4", () => r()));
    cleanups.push(() => s.close());
    return s;
  }
  const query = Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x78, 0, 0, 1, 0, 1]);

  it("accepts only the answer with the id it sent, from the server asked; times out otherwise", async () => {
    let mode: Mode = "echo";
    await upstream(() => mode, new Set());
    const pool = new UdpPool();
    cleanups.push(() => pool.close());
    const got = await pool.ask("127.0.0.4", PORT, query, 1000);
    expect(got?.subarray(2)).toEqual(query.subarray(2));
    mode = "wrong-id";
    expect(await pool.ask("127.0.0.4", PORT, query, 300)).toBeNull();
    mode = "silent";
    expect(await pool.ask("127.0.0.4", PORT, query, 300)).toBeNull();
    // Another server than the one asked: nothing there, nothing accepted from elsewhere.
    expect(await pool.ask("127.0.0.5", PORT, query, 300)).toBeNull();
  });

  it("spreads queries over several source ports and replaces sockets as they wear out", async () => {
    const ports = new Set<number>();
    await upstream(() => "echo", ports);
    const pool = new UdpPool();
    cleanups.push(() => pool.close());
    // Batches of 50 in flight: a burst of thousands would overflow the fake upstream's socket buffer.
    let lost = 0;
    for (let b = 0; b < 60; b++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => pool.ask("127.0.0.4", PORT, query, 3000)));
      lost += answers.filter((a) => a === null).length;
    }
    expect(lost).toBe(0);
    // 8 sockets at a time, each retired after 256 queries: at least 3000 / 256 distinct ports.
    expect(ports.size).toBeGreaterThanOrEqual(12);
  });
});
