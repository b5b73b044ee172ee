import { request } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeKernel } from "@netd/kernel-fake";
import pino from "pino";
import { cleanup } from "./cleanup.js";
import { startDaemon as start } from "./run-daemon.js";
import type { DaemonOptions, RunningDaemon } from "./run-daemon.js";

// The fake kernel and no drivers: these tests are about the socket, the lock and the store.
// A runtime-made namespace ("theirs") that survives the daemon restarts, as a container would.
const startDaemon = (o: Pick<DaemonOptions, "socket" | "dataDir">) => start({ ...o, kernel: createFakeKernel({ netns: ["/run/netns/theirs"] }), drivers: [] });

function call(socketPath: string, method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false — a kept-alive connection to a restarted server gives EPIPE (stack.md).
    const req = request({ socketPath, method, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("daemon socket and ownership", () => {
  let dir = "";
  let daemon: RunningDaemon | null = null;
  afterEach(async () => {
    await daemon?.stop();
    daemon = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers /_ping and /version with and without a /v1.NN prefix", async () => {
    dir = mkdtempSync(join(tmpdir(), "netd-api-"));
    const sock = join(dir, "netd.sock");
    daemon = await startDaemon({ socket: sock, dataDir: join(dir, "data") });
    expect(statSync(sock).mode & 0o777).toBe(0o660);
    const ping = await call(sock, "GET", "/_ping");
    expect(ping).toMatchObject({ status: 200, body: "OK" });
    expect(ping.headers["api-version"]).toBe("1.47");
    const head = await call(sock, "HEAD", "/_ping");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    const version = await call(sock, "GET", "/v1.47/version");
    expect(JSON.parse(version.body)).toMatchObject({ ApiVersion: "1.47", Os: "linux" });
    const missing = await call(sock, "GET", "/v1.47/nope");
    expect(missing.status).toBe(404);
    expect((JSON.parse(missing.body) as { message: string }).message).toMatch(/page not found/);
  });

  it("refuses a second daemon on the same socket and data dir, takes over stale ones", async () => {
    dir = mkdtempSync(join(tmpdir(), "netd-api-"));
    const sock = join(dir, "netd.sock");
    daemon = await startDaemon({ socket: sock, dataDir: join(dir, "data") });
    await expect(startDaemon({ socket: sock, dataDir: join(dir, "other") })).rejects.toThrow(/another process is listening on/);
    await daemon.stop();
    daemon = await startDaemon({ socket: sock, dataDir: join(dir, "data") });
    expect((await call(sock, "GET", "/_ping")).status).toBe(200);
  });

  it("gives the socket to --group and refuses an unknown group before claiming anything", async () => {
    dir = mkdtempSync(join(tmpdir(), "netd-api-"));
    const sock = join(dir, "netd.sock");
    await expect(start({ socket: sock, dataDir: join(dir, "data"), group: "no-such-group-netd", kernel: createFakeKernel(), drivers: [] })).rejects.toThrow(/unknown group 'no-such-group-netd'/);
    daemon = await start({ socket: sock, dataDir: join(dir, "data"), group: "root", kernel: createFakeKernel(), drivers: [] });
    expect(statSync(sock).gid).toBe(0);
  });

  it("keeps state in the data dir across a restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "netd-api-"));
    const sock = join(dir, "netd.sock");
    daemon = await startDaemon({ socket: sock, dataDir: join(dir, "data") });
    expect(daemon.controller.listNetworks()).toEqual([]);
    await daemon.controller.createSandbox({ name: "kept", netns: "/run/netns/theirs" });
    await daemon.stop();
    daemon = await startDaemon({ socket: sock, dataDir: join(dir, "data") });
    expect(daemon.controller.listSandboxes().map((s) => s.name)).toEqual(["kept"]);
  });

  it("refuses a second daemon and cleanup in the same network namespace, whatever their socket and data dir", async () => {
    dir = mkdtempSync(join(tmpdir(), "netd-api-"));
    // A lock name of this test's own: other test files run daemons in this namespace too.
    const netnsLock = `netd.test.${process.pid}.${Date.now()}`;
    const fake = () => ({ kernel: createFakeKernel(), drivers: [], netnsLock });
    daemon = await start({ socket: join(dir, "a.sock"), dataDir: join(dir, "a"), ...fake() });
    const refused = new RegExp(`another netd \\(pid ${process.pid}, socket ${join(dir, "a.sock")}, data dir ${join(dir, "a")}\\) already runs in this network namespace`);
    await expect(start({ socket: join(dir, "b.sock"), dataDir: join(dir, "b"), ...fake() })).rejects.toThrow(refused);
    await expect(cleanup({ socket: join(dir, "b.sock"), dataDir: join(dir, "b"), log: pino({ level: "silent" }), ...fake() })).rejects.toThrow(refused);
    // Nothing of the refused ones was claimed or created.
    expect(statSync(join(dir, "b"), { throwIfNoEntry: false })?.isDirectory() ?? false).toBe(true);
    expect(statSync(join(dir, "b.sock"), { throwIfNoEntry: false })).toBeUndefined();
    expect(statSync(join(dir, "b", "netd.lock"), { throwIfNoEntry: false })).toBeUndefined();
    await daemon.stop();
    daemon = await start({ socket: join(dir, "b.sock"), dataDir: join(dir, "b"), ...fake() });
    expect((await call(join(dir, "b.sock"), "GET", "/_ping")).status).toBe(200);
  });

  it("refuses a data dir whose lock names a live process", async () => {
    dir = mkdtempSync(join(tmpdir(), "netd-api-"));
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "netd.lock"), "1\n");
    await expect(startDaemon({ socket: join(dir, "netd.sock"), dataDir: join(dir, "data") })).rejects.toThrow(/another netd \(pid 1\) owns data dir/);
  });
});
