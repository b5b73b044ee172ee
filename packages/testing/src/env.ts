import { existsSync, readdirSync } from "node:fs";
import { canReach, echoServerArgv, sendAndReceive, waitReady } from "./echo.js";
import { findLeftovers } from "./leftovers.js";
import { findStrays, netnsInodes } from "./strays.js";
import { makePrefix, NETNS_DIR, netnsName, netnsNameOf } from "./names.js";
import { addNetns, deleteNetns } from "./netns.js";
import { startProcess, type TrackedProcess } from "./processes.js";
import { AGENT_SCRIPT, connectAgent } from "./agent.js";
import type { TestEnv } from "./types.js";

/**
 * Creates an env with a fresh prefix that no namespace uses yet. Nothing is created until
 * `netns()` is called; pair every env with `cleanup()` (or use {@link useTestEnv}).
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async by contract: a later version may probe the kernel.
export async function createTestEnv(label = ""): Promise<TestEnv> {
  const prefix = freshPrefix();
  const created: string[] = [];
  const adopted: string[] = [];
  const processes: TrackedProcess[] = [];
  // netd-proxy processes found in the env's namespaces at cleanup (reported by assertNoLeftovers).
  let strays: string[] = [];
  const where = label ? ` (${label})` : "";

  const trackFile = (file: string, argv: readonly string[]): TrackedProcess => {
    const proc = startProcess(file, argv);
    processes.push(proc);
    return proc;
  };
  const track = (argv: readonly string[]): TrackedProcess => trackFile("ip", argv);

  const env: TestEnv = {
    prefix,
    label,
    async netns(short) {
      const name = netnsName(prefix, short);
      if (created.includes(name)) throw new Error(`namespace ${name}${where} was already created by this env`);
      const ns = await addNetns(name);
      created.push(name);
      return ns;
    },
    adoptNetns(nameOrPath) {
      const name = netnsNameOf(nameOrPath);
      if (!created.includes(name) && !adopted.includes(name)) adopted.push(name);
    },
    async startEchoServer(ns, options) {
      const what = `${options.proto} echo server on ${options.address} port ${options.port} in ${ns.name}`;
      return waitReady(track(echoServerArgv(ns, options)), what);
    },
    sendAndReceive,
    canReach,
    // eslint-disable-next-line @typescript-eslint/require-await -- async by contract (callers await it).
    async spawnIn(ns, argv, options) {
      if (argv.length === 0) throw new Error("spawnIn needs a command");
      const proc = options?.netOnly ? trackFile("nsenter", [`--net=${ns.path}`, "--", ...argv]) : track(["netns", "exec", ns.name, ...argv]);
      if (proc.pid < 0) throw new Error(`cannot start ${proc.command}: ${proc.output().trim()}`);
      return { pid: proc.pid, stop: () => proc.stop(), output: () => proc.output() };
    },
    startAgent(ns, modulePath, options) {
      const proc = startProcess("nsenter", [`--net=${ns.path}`, "--", process.execPath, "--input-type=module", "-e", AGENT_SCRIPT, modulePath], { stdin: true });
      processes.push(proc);
      return connectAgent(proc, `agent ${modulePath} in ${ns.name}`, options?.timeoutMs);
    },
    async cleanup() {
      const errors: string[] = [];
      // Processes first: a namespace with live processes outlives `ip netns del`.
      const stops = await Promise.allSettled(processes.map((p) => p.stop()));
      for (const s of stops) if (s.status === "rejected") errors.push(String(s.reason));
      // A userland proxy the daemon under test left running (detached by design): report it,
      // and end it so that its namespace can go.
      const found = findStrays(netnsInodes([...adopted, ...created]));
      strays = found.map((s) => `stray process ${s.pid} (${s.name}) in namespace ${s.netns}`);
      for (const s of found) {
        try {
          process.kill(s.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      for (const name of [...adopted, ...created].reverse()) {
        try {
          await deleteNetns(name);
        } catch (err) {
          errors.push(err instanceof Error ? err.message : String(err));
        }
      }
      if (errors.length > 0) throw new Error(`cleanup of ${prefix}${where} failed: ${errors.join("; ")}`);
    },
    async assertNoLeftovers() {
      const left = [...strays, ...(await findLeftovers({ prefix, adopted, processes }))];
      if (left.length > 0) {
        throw new Error(`test env ${prefix}${where} left ${left.length} thing(s) behind:\n  ${left.join("\n  ")}`);
      }
    },
  };
  return env;
}

function freshPrefix(): string {
  const taken = existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const prefix = makePrefix();
    if (!taken.some((name) => name.startsWith(prefix))) return prefix;
  }
  throw new Error(`could not find an unused test prefix in ${NETNS_DIR} after 20 attempts`);
}
