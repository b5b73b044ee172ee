// One netd per network namespace: a second daemon with its own socket and data dir in the
// same namespace refuses to start, naming the first; `netd cleanup` refuses while a daemon runs
// there; a daemon in another namespace is fine; after kill -9 the lock is gone at once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { makeNetdWorld, rawHttp, waitFor } from "../support/netd-world.js";
import type { NetdWorld } from "../support/netd-world.js";

describe("one daemon per network namespace", () => {
  const env = useTestEnv("netd-1ns");
  let world: NetdWorld | null = null;
  let other: string | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
    if (other) rmSync(other, { recursive: true, force: true });
    other = null;
  });

  it("refuses a second daemon and cleanup in the namespace, allows one in another namespace, and frees the lock on kill -9", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["network", "create", "--subnet", "10.234.0.0/24", "n1"]);
    const tableBefore = await w.host.nftJson(["list", "table", "inet", "netd"]);
    other = mkdtempSync(join(tmpdir(), `${env().prefix}-other-`));
    const sock2 = join(other, "netd.sock");
    const data2 = join(other, "data");
    const daemonArgs = ["--socket", sock2, "--data-dir", data2, "--netns-prefix", `${env().prefix}-`];

    const second = await w.host.exec(w.node(["daemon", ...daemonArgs]), { timeoutMs: 30_000 });
    expect(second.code, second.stdout + second.stderr).toBe(1);
    expect(second.stderr).toContain(`another netd (pid ${w.daemon!.pid}`);
    expect(second.stderr).toContain(`socket ${w.sock}, data dir ${w.dataDir}) already runs in this network namespace`);
    const cleanup = await w.host.exec(w.node(["cleanup", ...daemonArgs]), { timeoutMs: 30_000 });
    expect(cleanup.code, cleanup.stdout + cleanup.stderr).not.toBe(0);
    expect(cleanup.stderr).toContain("already runs in this network namespace");
    // The refused ones touched nothing of the running daemon.
    expect(await w.host.nftJson(["list", "table", "inet", "netd"])).toEqual(tableBefore);
    expect((await w.http("GET", "/networks/n1")).status).toBe(200);

    // Another namespace may have its own daemon while the first runs.
    const elsewhere = await env().spawnIn(w.remote, w.node(["daemon", ...daemonArgs]));
    await waitFor("the daemon in the other namespace", async () => (await rawHttp(sock2, "GET", "/_ping").catch(() => null))?.status === 200, () => elsewhere.output(), 30_000);
    await elsewhere.stop();

    // kill -9 leaves no stale lock: a new daemon with the other dirs starts in the namespace.
    const pid = w.daemon!.pid;
    process.kill(pid, "SIGKILL");
    await waitFor("netd to die", () => !alive(pid), () => "");
    const next = await env().spawnIn(w.host, w.node(["daemon", ...daemonArgs]));
    await waitFor("the next daemon", async () => (await rawHttp(sock2, "GET", "/_ping").catch(() => null))?.status === 200, () => next.output(), 30_000);
    await next.stop();
    await w.start();
    await w.ok(["network", "rm", "n1"]);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
