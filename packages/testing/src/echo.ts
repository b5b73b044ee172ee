import { CLIENT_NET_ERROR, CLIENT_SCRIPT, CLIENT_TIMEOUT, SERVER_SCRIPT } from "./echo-scripts.js";
import { run } from "./exec.js";
import { delay, type TrackedProcess } from "./processes.js";
import type { EchoServer, EchoServerOptions, ReachOptions, SendOptions, TestNetns } from "./types.js";

const READY_TIMEOUT_MS = 10_000;
/** Extra time for node to start inside the namespace, on top of the client's own timeout. */
const STARTUP_SLACK_MS = 10_000;

/** argv for a `node -e` echo server inside `ns`. */
export function echoServerArgv(ns: TestNetns, options: EchoServerOptions): string[] {
  const cfg = { proto: options.proto, address: options.address, port: options.port, reply: options.reply ?? "echo" };
  return ["netns", "exec", ns.name, process.execPath, "-e", SERVER_SCRIPT, JSON.stringify(cfg)];
}

/** Waits for the "READY <port>" line of a server started with {@link echoServerArgv}. */
export async function waitReady(proc: TrackedProcess, what: string): Promise<EchoServer> {
  const port = await new Promise<number>((resolve, reject) => {
    const check = (): void => {
      const match = /^READY (\d+)$/m.exec(proc.output());
      if (match) resolve(Number(match[1]));
    };
    proc.onOutput(check);
    check();
    void proc.done.then(() => reject(new Error(`${what} exited before listening: ${proc.output().trim()}`)));
    void delay(READY_TIMEOUT_MS).then(() =>
      reject(new Error(`${what} did not listen within ${READY_TIMEOUT_MS} ms: ${proc.output().trim()}`)),
    );
  }).catch(async (err: unknown) => {
    await proc.stop();
    throw err;
  });
  return { port, stop: () => proc.stop() };
}

type ClientOutcome = { ok: true; reply: string } | { ok: false; reason: string; netFailure: boolean };

/** Runs the echo client once inside `ns`. */
export async function runClient(ns: TestNetns, options: SendOptions): Promise<ClientOutcome> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const cfg = { ...options, timeoutMs };
  const result = await run(
    "ip",
    ["netns", "exec", ns.name, process.execPath, "-e", CLIENT_SCRIPT, JSON.stringify(cfg)],
    { timeoutMs: timeoutMs + STARTUP_SLACK_MS },
  );
  if (result.code === 0) return { ok: true, reply: result.stdout };
  const netFailure = result.code === CLIENT_TIMEOUT || result.code === CLIENT_NET_ERROR;
  return { ok: false, netFailure, reason: result.stderr.trim() || `client exited with ${result.code}` };
}

/** See {@link TestEnv.sendAndReceive}. */
export async function sendAndReceive(ns: TestNetns, options: SendOptions): Promise<string> {
  const outcome = await runClient(ns, options);
  if (outcome.ok) return outcome.reply;
  const from = options.source ? ` (source ${options.source})` : "";
  throw new Error(`sendAndReceive from ${ns.name}${from}: ${outcome.reason}`);
}

/** See {@link TestEnv.canReach}. Harness failures (node missing, namespace gone) still throw. */
export async function canReach(ns: TestNetns, options: ReachOptions): Promise<boolean> {
  const outcome = await runClient(ns, { ...options, payload: "reach", timeoutMs: options.timeoutMs ?? 1500 });
  if (outcome.ok) return true;
  if (outcome.netFailure) return false;
  throw new Error(`canReach from ${ns.name}: ${outcome.reason}`);
}
