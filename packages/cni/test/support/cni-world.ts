/**
 * A CNI "node" for the integration tests: a host namespace running the REAL built netd
 * (apps/netd/dist/main.js) on a private socket, and the built netd-cni executable run in that
 * namespace exactly as a runtime runs a plugin: a clean environment holding only the CNI_*
 * variables, the network config on stdin, the result or error object read from stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SpawnedProcess, TestEnv, TestNetns } from "@netd/testing";

const here = dirname(fileURLToPath(import.meta.url));
/** The built plugin executable. */
export const SHIM = join(here, "..", "..", "dist", "netd-cni");
/** The built daemon. */
export const NETD_MAIN = join(here, "..", "..", "..", "..", "apps", "netd", "dist", "main.js");

/** What the plugin printed and how it exited. */
export interface ShimRun {
  readonly code: number;
  readonly stdout: string;
  /** stdout parsed as JSON; undefined when empty. */
  readonly json: Record<string, unknown> | undefined;
  readonly ms: number;
}

/** CNI_* values of one call; absent ones are not set at all. */
export interface CniEnv {
  readonly containerId?: string;
  readonly netns?: string;
  readonly ifname?: string;
  readonly args?: string;
}

export interface CniNode {
  readonly host: TestNetns;
  readonly sock: string;
  daemon: SpawnedProcess | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Runs the plugin in the host namespace with `command`, `env` and `config` on stdin. */
  cni(command: string, env: CniEnv, config: unknown): Promise<ShimRun>;
  /** Raw HTTP to the daemon (test oracle: sandboxes, networks). */
  http(method: string, path: string): Promise<{ status: number; body: unknown }>;
  dispose(): void;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rawHttp(socketPath: string, method: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        let body: unknown = text;
        try {
          body = text ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          // /_ping answers plain "OK"
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Creates namespace `${prefix}-${name}` for a node; netd is not started yet. */
export async function makeCniNode(env: TestEnv, name = "host"): Promise<CniNode> {
  const host = await env.netns(name);
  const dir = mkdtempSync(join(tmpdir(), `${env.prefix}-cni-`));
  const sock = join(dir, "netd.sock");
  // vitest's NODE_PATH/NODE_ENV are not netd's; the daemon runs in the test's mount namespace
  // so the /run/netns mounts the tests make and see are the daemon's too.
  const clean = ["env", "-u", "NODE_PATH", "-u", "NODE_ENV", "-u", "VITEST", "-u", "VITEST_MODE", "-u", "VITEST_POOL_ID", "-u", "VITEST_WORKER_ID"];
  const mnt = `--mount=/proc/${process.pid}/ns/mnt`;
  const node: CniNode = {
    host,
    sock,
    daemon: null,
    async start() {
      node.daemon = await env.spawnIn(host, [...clean, "nsenter", mnt, "--", "node", NETD_MAIN, "daemon", "--socket", sock, "--data-dir", join(dir, "data"), "--netns-prefix", `${env.prefix}-`]);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const ping = await rawHttp(sock, "GET", "/_ping").catch(() => null);
        if (ping?.status === 200) return;
        if (Date.now() > deadline) throw new Error(`netd did not start: ${node.daemon.output()}`);
        await sleep(100);
      }
    },
    async stop() {
      await node.daemon?.stop();
      node.daemon = null;
    },
    async cni(command, e, config) {
      const vars = [`CNI_COMMAND=${command}`, "CNI_PATH=/opt/cni/bin"];
      if (e.containerId !== undefined) vars.push(`CNI_CONTAINERID=${e.containerId}`);
      if (e.netns !== undefined) vars.push(`CNI_NETNS=${e.netns}`);
      if (e.ifname !== undefined) vars.push(`CNI_IFNAME=${e.ifname}`);
      if (e.args !== undefined) vars.push(`CNI_ARGS=${e.args}`);
      const input = typeof config === "string" ? config : JSON.stringify(config);
      const t0 = performance.now();
      const r = await host.exec(["env", "-i", ...vars, SHIM], { input, timeoutMs: 60_000 });
      const ms = performance.now() - t0;
      let json: Record<string, unknown> | undefined;
      try {
        json = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined;
      } catch {
        throw new Error(`netd-cni ${command} printed non-JSON: ${r.stdout} ${r.stderr}`);
      }
      return { code: r.code, stdout: r.stdout, json, ms };
    },
    http: (method, path) => rawHttp(sock, method, path),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  return node;
}

/** A netd-cni network config for `node` (its socket in the config, as a node's conflist would have it). */
export function netConf(node: CniNode, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { cniVersion: "1.0.0", name: "cninet", type: "netd-cni", socket: node.sock, subnet: "10.77.0.0/24", ...extra };
}
