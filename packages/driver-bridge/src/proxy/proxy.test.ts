// The in-process proxy with real sockets on loopback (127.0.0.1 and ::1 of the test process).
import { createSocket } from "node:dgram";
import type { AddressInfo, Socket } from "node:net";
import { connect, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createProxyManager } from "./manager.js";
import { listenUdp } from "./udp.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** TCP server that answers "echo:<all it read>" after the client half-closes, then ends. */
async function tcpEcho(host: string): Promise<number> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    let got = "";
    s.on("data", (d: Buffer) => (got += d.toString()));
    s.on("end", () => s.end(`echo:${got}`));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

function tcpRequest(host: string, port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect({ host, port, allowHalfOpen: true }, () => s.end(payload));
    let got = "";
    s.on("data", (d: Buffer) => (got += d.toString()));
    s.on("end", () => resolve(got));
    s.on("error", reject);
  });
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("userland proxy", () => {
  it("TCP with half-close, 4-to-4 and 6-to-4", async () => {
    const target = await tcpEcho("127.0.0.1");
    const proxies = createProxyManager();
    cleanups.push(() => proxies.close());
    const p4 = await freePort("127.0.0.1");
    const p6 = await freePort("::1");
    await proxies.start({ protocol: "tcp", hostIp: "127.0.0.1", hostPort: p4, containerIp: "127.0.0.1", containerPort: target });
    await proxies.start({ protocol: "tcp", hostIp: "::1", hostPort: p6, containerIp: "127.0.0.1", containerPort: target });
    expect(await tcpRequest("127.0.0.1", p4, "hello")).toBe("echo:hello");
    expect(await tcpRequest("::1", p6, "six-to-four")).toBe("echo:six-to-four");
    expect(proxies.count()).toBe(2);
  });

  it("a second listener on a held port fails with EADDRINUSE; close frees it", async () => {
    const proxies = createProxyManager();
    cleanups.push(() => proxies.close());
    const port = await freePort("127.0.0.1");
    const spec = { protocol: "tcp" as const, hostIp: "127.0.0.1", hostPort: port, containerIp: "127.0.0.1", containerPort: 9 };
    const l = await proxies.start(spec);
    await expect(proxies.start(spec)).rejects.toMatchObject({ code: "EADDRINUSE" });
    await l.close();
    await (await proxies.start(spec)).close();
    expect(proxies.count()).toBe(0);
  });

  it("an unreachable container resets the client", async () => {
    const proxies = createProxyManager();
    cleanups.push(() => proxies.close());
    const port = await freePort("127.0.0.1");
    const dead = await freePort("127.0.0.1");
    await proxies.start({ protocol: "tcp", hostIp: "127.0.0.1", hostPort: port, containerIp: "127.0.0.1", containerPort: dead });
    await expect(tcpRequest("127.0.0.1", port, "x")).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("UDP: per-client flows, replies from the bound address, idle flows expire", async () => {
    const server = createSocket("udp4");
    server.on("message", (m, r) => server.send(`echo:${m.toString()}`, r.port, r.address));
    await new Promise<void>((r) => server.bind(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const target = server.address().port;
    const hostPort = await freePort("::1");
    const proxy = await listenUdp({ protocol: "udp", hostIp: "::1", hostPort, containerIp: "127.0.0.1", containerPort: target }, 200);
    cleanups.push(() => proxy.close());
    const ask = (payload: string) =>
      new Promise<{ text: string; from: string }>((resolve, reject) => {
        const c = createSocket("udp6");
        const timer = setTimeout(() => reject(new Error("udp timeout")), 2000);
        c.on("message", (m, r) => {
          clearTimeout(timer);
          c.close();
          resolve({ text: m.toString(), from: `${r.address}:${r.port}` });
        });
        c.send(payload, hostPort, "::1");
      });
    const seen = new Set<number>();
    server.on("message", (_m, r) => seen.add(r.port));
    expect(await ask("a")).toEqual({ text: "echo:a", from: `::1:${hostPort}` });
    expect(await ask("b")).toEqual({ text: "echo:b", from: `::1:${hostPort}` });
    expect(seen.size).toBe(2); // two clients, two upstream flows
    expect(proxy.flowCount()).toBe(2);
    await new Promise((r) => setTimeout(r, 400));
    expect(proxy.flowCount()).toBe(0);
    expect(await ask("c")).toEqual({ text: "echo:c", from: `::1:${hostPort}` });
  });
});
