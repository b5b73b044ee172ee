/**
 * An RPC agent: a `node` child inside a test namespace that imports a module of the test's
 * choosing and serves calls to its exported async functions over stdin/stdout, one JSON
 * line each way. Code under test that binds sockets (port reservations, the userland proxy)
 * must run inside the namespace it serves, as the daemon does; the agent is how a test
 * drives such code without switching the test runner's own namespace.
 */
import type { TrackedProcess } from "./processes.js";
import type { ChildProcess } from "node:child_process";

/** Protocol lines start with this marker; anything else on stdout is the module's own output. */
const MARK = "@@agent ";

/** Runs in the child: imports argv[1], answers `{id, method, args}` lines. */
export const AGENT_SCRIPT = `
const MARK = ${JSON.stringify(MARK)};
const mod = await import(process.argv[1]);
const out = (o) => process.stdout.write(MARK + JSON.stringify(o) + "\\n");
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    if (!line.trim()) continue;
    const { id, method, args } = JSON.parse(line);
    Promise.resolve()
      .then(() => {
        if (typeof mod[method] !== "function") throw new Error("agent module has no function " + method);
        return mod[method](...args);
      })
      .then(
        (result) => out({ id, result: result === undefined ? null : result }),
        (e) => out({ id, error: { message: e && e.message ? e.message : String(e), code: e && e.code, category: e && e.category, details: e && e.details } }),
      );
  }
});
process.stdin.on("end", async () => {
  try { if (typeof mod.close === "function") await mod.close(); } finally { process.exit(0); }
});
out({ ready: true });
`;

/** The error an agent call rejects with: the remote error's message, code and category. */
export class AgentCallError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly category: string | undefined,
    readonly details: unknown,
  ) {
    super(message);
    this.name = "AgentCallError";
  }
}

/** A running agent. */
export interface Agent {
  readonly pid: number;
  /** Calls `method(...args)` in the child; arguments and result travel as JSON. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Closes stdin (the module's `close()` runs), then stops the process. */
  stop(): Promise<void>;
  /** Non-protocol output (logs) of the child so far. */
  output(): string;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** Wires the RPC protocol onto a started process; resolves once the module is loaded. */
export async function connectAgent(proc: TrackedProcess & { readonly child: ChildProcess }, what: string, timeoutMs = 20_000): Promise<Agent> {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let logs = "";
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  let buf = "";
  proc.child.stdout?.on("data", (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.startsWith(MARK)) {
        logs += line + "\n";
        continue;
      }
      const msg = JSON.parse(line.slice(MARK.length)) as { ready?: boolean; id?: number; result?: unknown; error?: { message: string; code?: string; category?: string; details?: unknown } };
      if (msg.ready) {
        ready();
        continue;
      }
      const p = msg.id === undefined ? undefined : pending.get(msg.id);
      if (!p) continue;
      pending.delete(msg.id!);
      if (msg.error) p.reject(new AgentCallError(msg.error.message, msg.error.code, msg.error.category, msg.error.details));
      else p.resolve(msg.result);
    }
  });
  void proc.done.then(() => {
    for (const p of pending.values()) p.reject(new Error(`${what} exited: ${proc.output().slice(-2000)}`));
    pending.clear();
  });
  const started = await Promise.race([
    isReady.then(() => "ready" as const),
    proc.done.then(() => "exited" as const),
    new Promise<"timeout">((r) => setTimeout(() => r("timeout"), timeoutMs).unref()),
  ]);
  if (started !== "ready") {
    await proc.stop();
    throw new Error(`${what} did not start (${started}): ${proc.output().slice(-2000)}`);
  }
  return {
    pid: proc.pid,
    call<T>(method: string, ...args: unknown[]): Promise<T> {
      if (proc.exited()) return Promise.reject(new Error(`${what} has exited: ${proc.output().slice(-2000)}`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve, reject });
        proc.child.stdin?.write(`${JSON.stringify({ id, method, args })}\n`);
      });
    },
    async stop() {
      if (!proc.exited()) {
        proc.child.stdin?.end();
        await Promise.race([proc.done, new Promise((r) => setTimeout(r, 10_000).unref())]);
      }
      await proc.stop();
    },
    output: () => logs,
  };
}
