/**
 * End-to-end world: the REAL built netd (dist/main.js) runs inside a test "host" namespace,
 * a "remote" namespace is linked to it by a veth, and netd is driven only through its CLI and
 * raw HTTP on its unix socket. netd runs under `nsenter --mount=/proc/<vitest pid>/ns/mnt`:
 * `ip netns exec` gives it a private mount namespace, and the /run/netns mounts of the
 * sandboxes it creates would vanish with it (a restart would find them gone).
 */
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { linkNetns } from "@netd/testing";
import type { ExecResult, SpawnedProcess, TestEnv, TestNetns } from "@netd/testing";

export const MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "main.js");
export const HOST4 = "198.51.100.1";
export const HOST6 = "2001:db8:77::1";
const REMOTE4 = "198.51.100.2";
const REMOTE6 = "2001:db8:77::2";

/**
 * How long `start()` waits for /_ping. Natively netd answers after 2-3 s. In the qemu guest of
 * the VM tests (software emulation, NETD_VM_GUEST=1) the same start measured 57-83 s on the
 * loaded 2-core development host: ~45 s loading and compiling the modules, 14-30 s building
 * the API (fastify routes and their zod schemas); it is CPU-bound, a second start is no faster.
 */
const START_DEADLINE_MS = process.env["NETD_VM_GUEST"] === "1" ? 240_000 : 20_000;

export interface NetdWorld {
  readonly env: TestEnv;
  readonly host: TestNetns;
  readonly remote: TestNetns;
  readonly sock: string;
  readonly dataDir: string;
  /** The running daemon (null while stopped). */
  daemon: SpawnedProcess | null;
  /** Starts netd with `extra` flags (and `env` variables) and waits for /_ping. */
  start(extra?: readonly string[], env?: Readonly<Record<string, string>>): Promise<SpawnedProcess>;
  /** `netd -H unix://sock ARGS…` run in the host namespace. */
  cli(args: readonly string[]): Promise<ExecResult>;
  /** Like cli but fails the test on a non-zero exit, showing stderr. */
  ok(args: readonly string[]): Promise<string>;
  /** A long-running CLI (`netd run …`) in the host namespace, tracked by the env. */
  spawnCli(args: readonly string[]): Promise<SpawnedProcess>;
  /** Raw HTTP on the socket. */
  http(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; text: string; headers: Record<string, unknown> }>;
  /**
   * Waits until sandbox `ref` exists and adopts its namespace for cleanup; returns its inspect
   * view, which may predate the joins of a create that is still running.
   */
  adoptSandbox(ref: string): Promise<SandboxJson>;
  /** argv running `node dist/main.js ARGS…` the way netd runs here (root mount ns, clean env). */
  node(args: readonly string[]): string[];
  /** Removes the temp dir (after the env stopped netd). */
  dispose(): void;
}

export interface SandboxJson {
  Id: string;
  Name: string;
  Netns: string;
  Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  Networks: Record<string, { IPAddress: string; GlobalIPv6Address: string; EndpointID: string; Gateway: string; IPv6Gateway: string }>;
}

export function rawHttp(socketPath: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; text: string; headers: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    // agent: false: a kept-alive connection to a restarted daemon fails with EPIPE (stack.md).
    const req = request({ socketPath, method, path, agent: false, headers: payload === undefined ? {} : { "Content-Type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        let parsed: unknown;
        try {
          parsed = text === "" ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates host + remote (veth, dual-stack addresses) and a temp dir; netd is not started yet. */
export async function makeNetdWorld(env: TestEnv, options: { readonly main?: string } = {}): Promise<NetdWorld> {
  // Another netd entry point, e.g. the bin of a package installed from its tarball.
  const main = options.main ?? MAIN;
  const host = await env.netns("host");
  const remote = await env.netns("remote");
  await linkNetns({ ns: host, name: "up0", addresses: [`${HOST4}/24`, `${HOST6}/64`] }, { ns: remote, name: "eth0", addresses: [`${REMOTE4}/24`, `${REMOTE6}/64`] });
  const dir = mkdtempSync(join(tmpdir(), `${env.prefix}-netd-`));
  const sock = join(dir, "netd.sock");
  const dataDir = join(dir, "data");
  const mnt = `--mount=/proc/${process.pid}/ns/mnt`;
  // vitest's NODE_PATH points at pnpm's hoisted modules (ajv 6 for fastify's ajv 8) and its
  // NODE_ENV/VITEST* variables are not netd's: run the binary with the environment a user has.
  const clean = ["env", "-u", "NODE_PATH", "-u", "NODE_ENV", "-u", "VITEST", "-u", "VITEST_MODE", "-u", "VITEST_POOL_ID", "-u", "VITEST_WORKER_ID"];
  const world: NetdWorld = {
    env,
    host,
    remote,
    sock,
    dataDir,
    daemon: null,
    async start(extra = [], vars = {}) {
      const d = await env.spawnIn(host, [...clean, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), "nsenter", mnt, "--", "node", main, "daemon", "--socket", sock, "--data-dir", dataDir, "--netns-prefix", `${env.prefix}-`, ...extra]);
      world.daemon = d;
      const deadline = Date.now() + START_DEADLINE_MS;
      for (;;) {
        const ping = await rawHttp(sock, "GET", "/_ping").catch(() => null);
        if (ping?.status === 200) return d;
        if (Date.now() > deadline) throw new Error(`netd did not answer /_ping within ${START_DEADLINE_MS / 1000} s; its output:\n${d.output()}`);
        await sleep(100);
      }
    },
    cli: (args) => host.exec([...clean, "nsenter", mnt, "--", "node", main, "-H", `unix://${sock}`, ...args], { timeoutMs: 30_000 }),
    async ok(args) {
      const r = await world.cli(args);
      if (r.code !== 0) throw new Error(`netd ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    spawnCli: (args) => env.spawnIn(host, [...clean, "nsenter", mnt, "--", "node", main, "-H", `unix://${sock}`, ...args]),
    http: (method, path, body) => rawHttp(sock, method, path, body),
    async adoptSandbox(ref) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const r = await rawHttp(sock, "GET", `/sandboxes/${encodeURIComponent(ref)}`);
        if (r.status === 200) {
          const sb = r.body as SandboxJson;
          if (sb.Netns.startsWith(`/run/netns/${env.prefix}-`)) env.adoptNetns(sb.Netns);
          return sb;
        }
        if (Date.now() > deadline) throw new Error(`sandbox ${ref} did not appear: ${r.text}`);
        await sleep(100);
      }
    },
    node: (args) => [...clean, "nsenter", mnt, "--", "node", main, ...args],
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  return world;
}

/** A node one-liner: TCP server on [::]:80 that echoes every chunk as `tag:chunk` and closes on EOF. */
export function echoServerArgv(tag: string): string[] {
  return ["node", "-e", `require("net").createServer((s)=>{s.on("data",(d)=>s.write("${tag}:"+d));s.on("end",()=>s.end());s.on("error",()=>{});}).listen(80,"::",()=>console.log("listening"))`];
}

/**
 * A client in `ns` holding ONE TCP connection to address:port, sending "pN\n" every 200 ms and
 * printing what comes back; prints CLOSED or ERR when the connection breaks.
 */
export function streamingClientArgv(address: string, port: number): string[] {
  return ["node", "-e", `const s=require("net").connect({host:"${address}",port:${port}});let n=0;s.on("connect",()=>setInterval(()=>s.write("p"+(n++)+"\\n"),200));s.on("data",(d)=>process.stdout.write(d));s.on("close",()=>{console.log("CLOSED");process.exit(1)});s.on("error",(e)=>console.log("ERR "+e.message));`];
}

/** Counts replies in a streaming client's output. */
export function replies(p: SpawnedProcess, tag: string): number {
  return p.output().split(`${tag}:p`).length - 1;
}

/** Waits until `check` is true, or throws `what` with `details()`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, details: () => string, timeoutMs = 10_000, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${details()}`);
    await sleep(pollMs);
  }
}

/** `ls --format json` output: one JSON object per line, as docker prints it. */
export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}
