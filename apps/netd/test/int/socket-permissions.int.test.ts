// S1: the API socket never exists with permissions wider than 0660, even under umask 000.
// An unprivileged user (nobody, via setpriv) tries to connect: at the exact moment the server
// is bound (deterministic, through listenPrivately's hook) and in a tight loop while the real
// daemon starts under umask 000. The control case shows that a socket bound directly on its
// final path under umask 000 (what netd did before) IS open to nobody until it is chmod-ed.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import type { TestNetns } from "@netd/testing";
import { listenPrivately } from "../../src/daemon/api-socket.js";
import { MAIN, makeNetdWorld, rawHttp, sleep, waitFor } from "../support/netd-world.js";
import type { NetdWorld } from "../support/netd-world.js";

const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
/** One connect as nobody: prints CONNECTED or the error code. */
const CONNECT_ONCE = `const s=require("net").connect(process.argv[1]);s.on("connect",()=>{console.log("CONNECTED");s.destroy()});s.on("error",(e)=>console.log(e.code))`;
/**
 * Connects as fast as it can until the socket has existed for 1.5 s (or 60 s passed), then
 * prints a summary line; every successful connect is counted.
 */
const CONNECT_LOOP = `const net=require("net"),fs=require("fs");const p=process.argv[1];let tries=0,ok=0,seen=0;const t0=Date.now();
function once(){tries++;const s=net.connect(p);s.on("connect",()=>{ok++;s.destroy();next()});s.on("error",()=>next())}
function next(){if(fs.existsSync(p)&&!seen)seen=Date.now();if((seen&&Date.now()-seen>1500)||Date.now()-t0>60000){console.log("SUMMARY tries="+tries+" connected="+ok);process.exit(0)}setImmediate(once)}
console.log("probing");once();`;

const listen = (server: Server, path: string): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

async function connectAsNobody(ns: TestNetns, path: string): Promise<string> {
  const r = await ns.exec([...AS_NOBODY, "node", "-e", CONNECT_ONCE, path], { timeoutMs: 10_000 });
  return r.stdout.trim() || r.stderr.trim();
}

describe("API socket permissions (S1)", () => {
  const env = useTestEnv("netd-sock");
  let world: NetdWorld | null = null;
  let dir: string | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it("under umask 000 nobody cannot connect at bind time, and the socket appears with mode 0660", async () => {
    const ns = await env().netns("probe");
    dir = mkdtempSync(join(tmpdir(), "netd-sock-"));
    chmodSync(dir, 0o755);
    const previous = process.umask(0);
    const direct = createServer();
    const server = createServer();
    try {
      // Control: bound on its final path, the socket is open to everyone until chmod.
      await listen(direct, join(dir, "direct.sock"));
      expect(await connectAsNobody(ns, join(dir, "direct.sock"))).toBe("CONNECTED");

      const final = join(dir, "netd.sock");
      const atBind: { finalExists?: boolean; nobody?: string; bound?: string } = {};
      await listenPrivately(
        async (path) => {
          await listen(server, path);
          atBind.bound = path;
          atBind.finalExists = existsSync(final);
          atBind.nobody = await connectAsNobody(ns, path);
        },
        final,
        { mode: 0o660 },
      );
      expect(atBind.finalExists).toBe(false);
      expect(atBind.nobody).toBe("EACCES");
      expect(dirname(atBind.bound!)).not.toBe(dir);
      expect(statSync(final).mode & 0o777).toBe(0o660);
      expect(await connectAsNobody(ns, final)).toBe("EACCES");
      // The private directory is gone; only the two sockets remain.
      expect(readdirSync(dir).sort()).toEqual(["direct.sock", "netd.sock"]);
      // Root still connects: the server is really listening on the renamed path.
      const root = await ns.exec(["node", "-e", CONNECT_ONCE, final]);
      expect(root.stdout.trim()).toBe("CONNECTED");
    } finally {
      process.umask(previous);
      await close(direct);
      await close(server);
    }
  });

  it("the real daemon started under umask 000 never lets nobody connect while it starts", async () => {
    const w = (world = await makeNetdWorld(env()));
    chmodSync(dirname(w.sock), 0o755);
    const prober = await env().spawnIn(w.host, [...AS_NOBODY, "node", "-e", CONNECT_LOOP, w.sock]);
    await waitFor("the prober", () => prober.output().includes("probing"), () => prober.output());
    const mnt = `--mount=/proc/${process.pid}/ns/mnt`;
    const umask0 = ["node", "-e", "process.umask(0);import(process.argv[1])"];
    w.daemon = await env().spawnIn(w.host, ["env", "-u", "NODE_PATH", "-u", "NODE_ENV", "-u", "VITEST", "nsenter", mnt, "--", ...umask0, MAIN, "daemon", "--socket", w.sock, "--data-dir", w.dataDir, "--netns-prefix", `${env().prefix}-`]);
    await waitFor("netd to answer", async () => (await rawHttp(w.sock, "GET", "/_ping").catch(() => null))?.status === 200, () => w.daemon!.output(), 30_000);
    await waitFor("the prober's summary", () => prober.output().includes("SUMMARY"), () => prober.output(), 70_000);
    const m = /SUMMARY tries=(\d+) connected=(\d+)/.exec(prober.output());
    expect(m, prober.output()).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(100);
    expect(Number(m![2]), prober.output()).toBe(0);
    expect(statSync(w.sock).mode & 0o777).toBe(0o660);
    expect(readdirSync(dirname(w.sock)).filter((n) => n.startsWith(".netd-"))).toEqual([]);
    await w.daemon.stop();
    await sleep(100);
    expect(existsSync(w.sock)).toBe(false);
  });
});
