// netd-proxy with real packets: a "host" namespace runs the daemon side (an agent calling
// createUserlandProxy, which spawns the proxy there) and the clients; a "container"
// namespace linked to it runs the servers.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { linkNetns, useTestEnv, type Agent, type TestEnv, type TestNetns } from "@netd/testing";
import { BULK_CLIENT, BULK_SERVER, END_CLIENT, LINE_CLIENT, LINE_SERVER, OUTAGE_CLIENT, runClient } from "./helpers-proxy.js";

const AGENT = fileURLToPath(new URL("./proxy-agent.mjs", import.meta.url));

interface World {
  host: TestNetns;
  ctr: TestNetns;
  agent: Agent;
  socketPath: string;
}

async function world(env: TestEnv): Promise<World> {
  const host = await env.netns("h");
  const ctr = await env.netns("c");
  await linkNetns({ ns: host, name: "ph", addresses: ["10.77.0.1/24", "fd77::1/64"] }, { ns: ctr, name: "pc", addresses: ["10.77.0.2/24", "fd77::2/64"] });
  const socketPath = `/tmp/${env.prefix}-proxy.sock`;
  const agent = await env.startAgent(host, AGENT);
  await agent.call("open", { socketPath, udpIdleSeconds: 5 });
  return { host, ctr, agent, socketPath };
}

async function done(w: World): Promise<void> {
  await w.agent.call("shutdown");
  rmSync(w.socketPath, { force: true });
}

/** done(), after ending a proxy the test stopped with SIGSTOP that is still there (the test failed). */
async function doneAfterStop(w: World, stoppedPid: number | null): Promise<void> {
  if (stoppedPid !== null) {
    process.kill(stoppedPid, "SIGKILL");
    process.kill(stoppedPid, "SIGCONT");
  }
  await done(w);
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await check()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe("netd-proxy (userland proxy process)", () => {
  const env = useTestEnv("proxy");

  it("carries TCP over IPv4, IPv6 and 6-to-4 with half-close, and counts per binding", async () => {
    const w = await world(env());
    const s4 = await env().startEchoServer(w.ctr, { proto: "tcp", address: "10.77.0.2", port: 0, reply: "v4" });
    const s6 = await env().startEchoServer(w.ctr, { proto: "tcp", address: "fd77::2", port: 0, reply: "v6" });
    await w.agent.call("start", "a", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18080, containerIp: "10.77.0.2", containerPort: s4.port });
    await w.agent.call("start", "b", { protocol: "tcp", hostIp: "::1", hostPort: 18080, containerIp: "10.77.0.2", containerPort: s4.port });
    await w.agent.call("start", "c", { protocol: "tcp", hostIp: "::", hostPort: 18081, containerIp: "fd77::2", containerPort: s6.port });
    // The echo server answers only after the client's FIN: data flows back over a half-closed connection.
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 18080, payload: "x" })).toBe("v4:x");
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "::1", port: 18080, payload: "y" })).toBe("v4:y");
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "fd77::1", port: 18081, payload: "z" })).toBe("v6:z");
    const stats = await w.agent.call<{ id: string; connections: number; bytesIn: number; bytesOut: number }[]>("stats");
    expect(stats.find((s) => s.id === "tcp/127.0.0.1/18080")).toMatchObject({ connections: 1, bytesIn: 1, bytesOut: 4 });
    expect(stats.find((s) => s.id === "tcp/::/18081")).toMatchObject({ connections: 1, bytesIn: 1, bytesOut: 4 });
    // Bulk both ways at once (more than the pipes and socket buffers hold): backpressure, order, nothing lost.
    await w.ctr.exec(["true"]);
    const bulk = await env().spawnIn(w.ctr, ["node", "-e", BULK_SERVER, JSON.stringify(["10.77.0.2", 7002])]);
    await until(() => Promise.resolve(bulk.output().includes("READY")), 5000);
    await w.agent.call("start", "d", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18090, containerIp: "10.77.0.2", containerPort: 7002 });
    expect(await runClient(w.host, BULK_CLIENT, ["127.0.0.1", 18090, 32])).toBe(`OK ${32 << 20}`);
    const bulkStats = (await w.agent.call<{ id: string; bytesIn: number; bytesOut: number }[]>("stats")).find((s) => s.id === "tcp/127.0.0.1/18090");
    expect(bulkStats).toMatchObject({ bytesIn: 32 << 20, bytesOut: 32 << 20 });
    await done(w);
  });

  it("resets the client when the container refuses, and reports bind conflicts", async () => {
    const w = await world(env());
    await w.agent.call("start", "r", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18082, containerIp: "10.77.0.2", containerPort: 9 });
    expect(await runClient(w.host, END_CLIENT, ["127.0.0.1", 18082])).toBe("RESET");
    await expect(w.agent.call("start", "dup", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18082, containerIp: "10.77.0.2", containerPort: 80 })).rejects.toMatchObject({ code: "EADDRINUSE" });
    await expect(w.agent.call("start", "bad", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 70000, containerIp: "10.77.0.2", containerPort: 80 })).rejects.toMatchObject({ code: "PROXY_INVALID_SPEC" });
    await done(w);
  });

  it("answers UDP from the address the client targeted (wildcard binding, IPv4 and IPv6)", async () => {
    const w = await world(env());
    const u4 = await env().startEchoServer(w.ctr, { proto: "udp", address: "10.77.0.2", port: 0, reply: "u" });
    await w.host.exec(["ip", "addr", "add", "10.77.0.9/24", "dev", "ph"]);
    await w.agent.call("start", "u4", { protocol: "udp", hostIp: "0.0.0.0", hostPort: 18083, containerIp: "10.77.0.2", containerPort: u4.port });
    await w.agent.call("start", "u6", { protocol: "udp", hostIp: "::", hostPort: 18083, containerIp: "10.77.0.2", containerPort: u4.port });
    // The clients connect their UDP socket: a reply from any other source address is dropped.
    for (const address of ["127.0.0.1", "127.0.0.5", "10.77.0.1", "10.77.0.9", "::1", "fd77::1"]) {
      expect(await env().sendAndReceive(w.host, { proto: "udp", address, port: 18083, payload: address })).toBe(`u:${address}`);
    }
    const stats = await w.agent.call<{ id: string; packetsIn: number; packetsOut: number }[]>("stats");
    expect(stats.find((s) => s.id === "udp/0.0.0.0/18083")).toMatchObject({ packetsIn: 4, packetsOut: 4 });
    await done(w);
  });

  it("refuses and logs malformed hand-over messages while the other ports keep serving", async () => {
    const e = env();
    const host = await e.netns("h");
    const ctr = await e.netns("c");
    await linkNetns({ ns: host, name: "ph", addresses: ["10.77.0.1/24"] }, { ns: ctr, name: "pc", addresses: ["10.77.0.2/24"] });
    const socketPath = `/tmp/${e.prefix}-proxy.sock`;
    const logPath = `/tmp/${e.prefix}-proxy.log`;
    const agent = await e.startAgent(host, AGENT);
    const w = { host, ctr, agent, socketPath };
    try {
      await agent.call("open", { socketPath, logPath });
      const s4 = await e.startEchoServer(ctr, { proto: "tcp", address: "10.77.0.2", port: 0, reply: "ok" });
      await agent.call("start", "a", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18088, containerIp: "10.77.0.2", containerPort: s4.port });
      const bad: Array<[string, string | null, string]> = [
        ["add\u0001 x tcp 10.77.0.2 80", "tcp", "malformed message"],
        ["add tcp/127.0.0.1/18089 tcp 10.77.0.2 99999", "tcp", "bad target"],
        ["add tcp/127.0.0.1/18089 tcp 10.77.0.300 80", "tcp", "bad target"],
        ["add ../x;rm tcp 10.77.0.2 80", "tcp", "bad binding id"],
        ["add udp/127.0.0.1/18089 udp 10.77.0.2 80", "tcp", "does not match the protocol"],
        ["add tcp/127.0.0.1/18089 tcp 10.77.0.2 80", null, "exactly one socket"],
        ["add tcp/127.0.0.1/18088 tcp 10.77.0.2 80 extra", null, "usage"],
        ["remove tcp/127.0.0.1/18088", "udp", "only add carries a socket"],
        [`add ${"x".repeat(600)} tcp 10.77.0.2 80`, "tcp", "malformed message"],
        ["frobnicate", null, "unknown request"],
      ];
      for (const [text, attach, why] of bad) {
        const reply = await agent.call<string>("raw", socketPath, text, attach, 18089);
        expect(reply, text.slice(0, 40)).toMatch(/^err E[A-Z]+ /);
        expect(reply).toContain(why);
      }
      // The same requests back to back in one exchange, between two pings: one reply each, in order.
      const many = await agent.call<string[]>("rawMany", socketPath, [["ping", null], ...bad.map(([text, attach]) => [text, attach]), ["ping", null]], 18120);
      expect(many).toHaveLength(bad.length + 2);
      expect([many[0], many.at(-1)]).toEqual([expect.stringMatching(/^ok \d+$/), expect.stringMatching(/^ok \d+$/)]);
      bad.forEach(([text, , why], i) => expect(many[i + 1], text.slice(0, 40)).toContain(why));
      await expect(agent.call("rawMany", socketPath, [], 18120)).rejects.toThrow(/controlRequests/);
      // Nothing was added, the port of the refused sockets is free, the good binding still serves.
      expect((await agent.call<{ id: string }[]>("stats")).map((s) => s.id)).toEqual(["tcp/127.0.0.1/18088"]);
      expect(await agent.call("canBind", "tcp", "127.0.0.1", 18089)).toBe(true);
      expect(await e.sendAndReceive(host, { proto: "tcp", address: "127.0.0.1", port: 18088, payload: "still" })).toBe("ok:still");
      const log = readFileSync(logPath, "utf8");
      expect(log.match(/refused a request/g)?.length).toBe(2 * bad.length);
      expect(log).toContain("malformed control message");
    } finally {
      await done(w);
      rmSync(logPath, { force: true });
    }
  });

  it("sends a turn's starts and closes together, each settling on its own", async () => {
    const w = await world(env());
    try {
      const s1 = await env().startEchoServer(w.ctr, { proto: "tcp", address: "10.77.0.2", port: 0, reply: "one" });
      const s2 = await env().startEchoServer(w.ctr, { proto: "tcp", address: "10.77.0.2", port: 0, reply: "two" });
      const s6 = await env().startEchoServer(w.ctr, { proto: "tcp", address: "fd77::2", port: 0, reply: "six" });
      const at = (hostIp: string, hostPort: number, containerIp: string, containerPort: number) => ({ protocol: "tcp", hostIp, hostPort, containerIp, containerPort });
      await w.agent.call("start", "old", at("127.0.0.1", 18100, "10.77.0.2", s1.port));
      await w.agent.call("occupy", "tcp", "127.0.0.1", 18102);
      const outcomes = await w.agent.call<string[]>("batch", [
        { op: "stop", key: "old" },
        // The same port right after its removal in the same turn: the bind waits for the removal.
        { op: "start", key: "new", spec: at("127.0.0.1", 18100, "10.77.0.2", s2.port) },
        { op: "start", key: "b", spec: at("127.0.0.1", 18101, "10.77.0.2", s1.port) },
        { op: "start", key: "b-again", spec: at("127.0.0.1", 18101, "10.77.0.2", s2.port) },
        { op: "start", key: "taken", spec: at("127.0.0.1", 18102, "10.77.0.2", s1.port) },
        { op: "start", key: "v6", spec: at("::1", 18101, "fd77::2", s6.port) },
      ]);
      expect(outcomes).toEqual(["ok", "ok", "ok", "EADDRINUSE", "EADDRINUSE", "ok"]);
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 18100, payload: "a" })).toBe("two:a");
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 18101, payload: "b" })).toBe("one:b");
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "::1", port: 18101, payload: "c" })).toBe("six:c");
      const ids = (await w.agent.call<{ id: string }[]>("stats")).map((s) => s.id).sort();
      expect(ids).toEqual(["tcp/127.0.0.1/18100", "tcp/127.0.0.1/18101", "tcp/::1/18101"]);
      // Closing them all in one turn frees every port.
      expect(await w.agent.call<string[]>("batch", ["new", "b", "v6"].map((key) => ({ op: "stop", key })))).toEqual(["ok", "ok", "ok"]);
      expect(await w.agent.call("stats")).toEqual([]);
      expect(await w.agent.call("canBind", "tcp", "127.0.0.1", 18100)).toBe(true);
    } finally {
      await done(w);
    }
  });

  it("frees the port when a binding is removed", async () => {
    const w = await world(env());
    const spec = { protocol: "udp", hostIp: "127.0.0.1", hostPort: 18084, containerIp: "10.77.0.2", containerPort: 53 };
    await w.agent.call("start", "x", spec);
    expect(await w.agent.call("canBind", "udp", "127.0.0.1", 18084)).toBe(false);
    await w.agent.call("stopBinding", "x");
    expect(await w.agent.call("canBind", "udp", "127.0.0.1", 18084)).toBe(true);
    await done(w);
  });

  it("is started again within a second when killed, with its listeners handed over again", async () => {
    const w = await world(env());
    try {
      await w.ctr.exec(["true"]);
      const server = await env().spawnIn(w.ctr, ["node", "-e", LINE_SERVER, JSON.stringify(["10.77.0.2", 7001])]);
      await until(() => Promise.resolve(server.output().includes("READY")), 5000);
      await w.agent.call("start", "a", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18085, containerIp: "10.77.0.2", containerPort: 7001 });
      // The prober runs all along, so the outage is measured from the kill, not from a check's start-up.
      const prober = await env().spawnIn(w.host, ["node", "-e", OUTAGE_CLIENT, JSON.stringify(["127.0.0.1", 18085, 2500])]);
      await until(() => Promise.resolve(prober.output().includes("UP")), 5000);
      const before = await w.agent.call<number>("pid");
      const killedAt = Date.now();
      process.kill(before, "SIGKILL");
      await until(() => Promise.resolve(prober.output().includes("DONE")), 10_000);
      const probe = JSON.parse(/DONE (.*)/.exec(prober.output())?.[1] ?? "{}") as { maxGap: number; lastOk: number };
      expect(probe.lastOk).toBeGreaterThan(killedAt);
      expect(probe.maxGap).toBeLessThan(1000);
      expect(await w.agent.call<number | null>("pid")).not.toBe(before);
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 18085, payload: "again\n" })).toBe("re:again\n");
      const events = await w.agent.call<{ type: string; bindings: number }[]>("getEvents");
      expect(events.map((e) => e.type)).toEqual(["started", "restarted"]);
      expect(events[1]?.bindings).toBe(1);
    } finally {
      await done(w);
    }
  });

  it("replaces a proxy that hangs (SIGSTOP): the hung process is ended, its listeners handed to the new one", async () => {
    const w = await world(env());
    let stoppedPid: number | null = null;
    try {
      await w.ctr.exec(["true"]);
      const server = await env().spawnIn(w.ctr, ["node", "-e", LINE_SERVER, JSON.stringify(["10.77.0.2", 7002])]);
      await until(() => Promise.resolve(server.output().includes("READY")), 5000);
      await w.agent.call("start", "a", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18088, containerIp: "10.77.0.2", containerPort: 7002 });
      stoppedPid = await w.agent.call<number>("pid");
      process.kill(stoppedPid, "SIGSTOP");
      // Found by the ping (at most a second apart for a spawned proxy) after its 2 s timeout.
      await until(async () => (await w.agent.call<{ type: string }[]>("getEvents")).some((e) => e.type === "restarted"), 8000);
      const events = await w.agent.call<{ type: string; bindings: number; lost: number }[]>("getEvents");
      expect(events.find((e) => e.type === "restarted")).toMatchObject({ bindings: 1, lost: 0 });
      expect(await w.agent.call<number | null>("pid")).not.toBe(stoppedPid);
      await until(() => Promise.resolve(!existsSync(`/proc/${stoppedPid}`)), 3000);
      stoppedPid = null;
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 18088, payload: "after\n" })).toBe("re:after\n");
    } finally {
      await doneAfterStop(w, stoppedPid);
    }
  });

  it("fails a start whose exchange times out (hung proxy) and restarts the proxy with what is active", async () => {
    const w = await world(env());
    let stoppedPid: number | null = null;
    const at = (hostPort: number, containerPort: number) => ({ protocol: "tcp", hostIp: "127.0.0.1", hostPort, containerIp: "10.77.0.2", containerPort });
    try {
      const s = await env().startEchoServer(w.ctr, { proto: "tcp", address: "10.77.0.2", port: 0, reply: "up" });
      await w.agent.call("start", "a", at(18091, s.port));
      stoppedPid = await w.agent.call<number>("pid");
      // Within a second of an answer no ping is due: the start's own exchange finds the hang.
      process.kill(stoppedPid, "SIGSTOP");
      await expect(w.agent.call("start", "b", at(18092, s.port))).rejects.toMatchObject({ code: "EAGAIN" });
      await until(async () => (await w.agent.call<{ type: string }[]>("getEvents")).some((e) => e.type === "restarted"), 5000);
      const events = await w.agent.call<{ type: string; bindings: number; lost: number }[]>("getEvents");
      expect(events.find((e) => e.type === "restarted")).toMatchObject({ bindings: 1, lost: 0 });
      await until(() => Promise.resolve(!existsSync(`/proc/${stoppedPid}`)), 3000);
      stoppedPid = null;
      expect((await w.agent.call<{ id: string }[]>("stats")).map((x) => x.id)).toEqual(["tcp/127.0.0.1/18091"]);
      expect(await w.agent.call("canBind", "tcp", "127.0.0.1", 18092)).toBe(true);
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 18091, payload: "a" })).toBe("up:a");
      await w.agent.call("start", "b", at(18092, s.port));
      expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 18092, payload: "b" })).toBe("up:b");
    } finally {
      await doneAfterStop(w, stoppedPid);
    }
  });

  it("keeps an established flow across kill -9 of the daemon; the next daemon adopts and reconciles", async () => {
    const w = await world(env());
    await w.ctr.exec(["true"]);
    const server = await env().spawnIn(w.ctr, ["node", "-e", LINE_SERVER, JSON.stringify(["10.77.0.2", 7000])]);
    await until(() => Promise.resolve(server.output().includes("READY")), 5000);
    await w.agent.call("start", "a", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18086, containerIp: "10.77.0.2", containerPort: 7000 });
    await w.agent.call("start", "gone", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18087, containerIp: "10.77.0.2", containerPort: 7000 });
    const client = await env().spawnIn(w.host, ["node", "-e", LINE_CLIENT, JSON.stringify(["127.0.0.1", 18086, 20, 150])]);
    await until(() => Promise.resolve(client.output().includes("CONNECTED")), 5000);
    const proxyPid = await w.agent.call<number>("pid");
    process.kill(w.agent.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const next = await env().startAgent(w.host, AGENT);
    const opened = await next.call<{ type: string; pid: number; bindings: number }>("open", { socketPath: w.socketPath });
    expect(opened).toMatchObject({ type: "attached", pid: proxyPid, bindings: 2 });
    await next.call("start", "a", { protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18086, containerIp: "10.77.0.2", containerPort: 7000 });
    expect(await next.call("reconcile")).toEqual(["tcp/127.0.0.1/18087"]);
    expect(await next.call("canBind", "tcp", "127.0.0.1", 18087)).toBe(true);
    await until(() => Promise.resolve(/OK|FAIL/.test(client.output())), 8000);
    expect(client.output().trim()).toBe("CONNECTED\nOK 20");
    await done({ ...w, agent: next });
  });
});
