import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as packet from "dns-packet";
import type { DecodedPacket } from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { readFramed, writeFramed } from "./framing.js";
import { DnsService } from "./service.js";

// Loopback only: servers on 127.0.0.0/8 addresses and ports nobody else uses.
const PORT = 25353;
const UPSTREAM_PORT = 25354;

function ask(server: string, name: string, type = "A", from = "127.0.0.1", waitMs = 5000): Promise<DecodedPacket & { rcode: string }> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    const timer = setTimeout(() => (s.close(), reject(new Error(`no answer for ${name}`))), waitMs);
    s.on("message", (m) => (clearTimeout(timer), s.close(), resolve(packet.decode(m) as DecodedPacket & { rcode: string })));
    s.bind({ address: from }, () => s.send(packet.encode({ type: "query", id: 99, questions: [{ name, type: type as "A" }] }), PORT, server));
  });
}

describe("DnsService over loopback sockets", () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it("serves names (UDP and TCP), follows updates at once, forwards, SERVFAILs a dead upstream, ignores foreign sources", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dns-svc-"));
    cleanups.push(() => rmSync(dir, { recursive: true }));
    writeFileSync(join(dir, "resolv.conf"), "nameserver 127.0.0.3\n");
    // A fake upstream answering every A query with 192.0.2.7.
    const up = createSocket("udp4");
    up.on("message", (m, r) => {
      const query = packet.decode(m);
      up.send(packet.encode({ type: "response", id: query.id, questions: query.questions, answers: [{ type: "A", name: query.questions![0]!.name, data: "192.0.2.7" }] }), r.port, r.address);
    });
    await new Promise<void>((r) => up.bind(UPSTREAM_PORT, "127.0.0.3", () => r()));
    cleanups.push(() => up.close());

    const dns = new DnsService({ port: PORT, upstreamFiles: { resolvConf: join(dir, "resolv.conf"), resolvedResolvConf: join(dir, "none") }, upstreamPort: UPSTREAM_PORT, upstreamTimeoutMs: 300 });
    cleanups.push(() => dns.close());
    const net = { id: "n1", listen: ["127.0.0.2"], subnets: ["127.0.0.0/24"], forwarding: true, entries: [{ names: ["web"], ipv4: "127.0.0.10", ipv6: null }] };
    await dns.update([net]);
    expect((await ask("127.0.0.2", "web")).answers).toMatchObject([{ data: "127.0.0.10" }]);
    expect(dns.listening("n1")).toEqual(["127.0.0.2"]);
    expect(dns.listening("other")).toEqual([]);

    void dns.update([{ ...net, entries: [] }]);
    expect((await ask("127.0.0.2", "web")).rcode).toBe("NXDOMAIN");
    await dns.update([net]);

    const tcp = await new Promise<DecodedPacket>((resolve, reject) => {
      const c = connect({ host: "127.0.0.2", port: PORT }, () => writeFramed(c, packet.encode({ type: "query", id: 5, questions: [{ name: "web", type: "A" }] })));
      c.on("error", reject);
      readFramed(c, (m) => (c.destroy(), resolve(packet.decode(m))), () => reject(new Error("bad frame")));
    });
    expect(tcp.answers).toMatchObject([{ data: "127.0.0.10" }]);

    const fwd = await ask("127.0.0.2", "example.org");
    expect([fwd.id, fwd.answers]).toMatchObject([99, [{ data: "192.0.2.7" }]]);

    writeFileSync(join(dir, "resolv.conf"), "nameserver 127.0.0.4\n");
    await new Promise((r) => setTimeout(r, 1100));
    const started = Date.now();
    expect((await ask("127.0.0.2", "example.org")).rcode).toBe("SERVFAIL");
    expect(Date.now() - started).toBeLessThan(2000);

    await expect(ask("127.0.0.2", "web", "A", "127.0.1.1", 1000)).rejects.toThrow(/no answer/);
  }, 20_000);

  it("configure keeps names of networks still served; put and delete change one entry; peers follow the sandbox", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dns-svc-"));
    cleanups.push(() => rmSync(dir, { recursive: true }));
    writeFileSync(join(dir, "resolv.conf"), "nameserver 127.0.0.3\n");
    const dns = new DnsService({ port: PORT, upstreamFiles: { resolvConf: join(dir, "resolv.conf"), resolvedResolvConf: join(dir, "none") }, upstreamPort: UPSTREAM_PORT, upstreamTimeoutMs: 300 });
    cleanups.push(() => dns.close());
    const a = { id: "a", listen: ["127.0.0.2"], subnets: ["127.0.0.0/24"], forwarding: false };
    const b = { id: "b", listen: ["127.0.1.2"], subnets: ["127.0.1.0/24"], forwarding: false };
    await dns.configure([a]);
    dns.put("a", "ep1", { names: ["web"], ipv4: "127.0.0.10/24", ipv6: null, sandbox: "s1" });
    expect((await ask("127.0.0.2", "web")).answers).toMatchObject([{ data: "127.0.0.10" }]);
    await dns.configure([a, b]);
    expect((await ask("127.0.0.2", "web")).answers).toMatchObject([{ data: "127.0.0.10" }]);
    // s1 also joins b: asking a's server from s1's address finds b's names (its other network).
    dns.put("b", "ep2", { names: ["db"], ipv4: "127.0.1.20/24", ipv6: null, sandbox: "s2" });
    expect((await ask("127.0.0.2", "db", "A", "127.0.0.10")).rcode).toBe("NXDOMAIN");
    dns.put("b", "ep3", { names: ["web"], ipv4: "127.0.1.10/24", ipv6: null, sandbox: "s1" });
    expect((await ask("127.0.0.2", "db", "A", "127.0.0.10")).answers).toMatchObject([{ data: "127.0.1.20" }]);
    dns.delete("b", "ep3");
    expect((await ask("127.0.0.2", "db", "A", "127.0.0.10")).rcode).toBe("NXDOMAIN");
    dns.delete("a", "ep1");
    expect((await ask("127.0.0.2", "web")).rcode).toBe("NXDOMAIN");
    await dns.configure([b]);
    expect(dns.listening("a")).toEqual([]);
    expect((await ask("127.0.1.2", "db", "A", "127.0.1.1")).answers).toMatchObject([{ data: "127.0.1.20" }]);
  }, 20_000);
});
