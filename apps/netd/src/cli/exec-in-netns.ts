/**
 * `netd run` starts the user's command inside the sandbox's namespace, like `docker run`
 * starts a container's process. This is the one place in apps/netd that spawns a process: the
 * CLI is the user's process launcher here, not a kernel client, and the daemon cannot start
 * processes on the caller's terminal. It spawns `ip netns exec NAME CMD…` (or `nsenter
 * --net=PATH` for a namespace outside /run/netns) with an argument array, never a shell.
 */
// eslint-disable-next-line no-restricted-imports -- see the module comment: launching the user's command is the CLI's job.
import { spawn } from "node:child_process";
import { basename, dirname } from "node:path";

/**
 * Runs `argv` in the namespace at `netnsPath` with the terminal's stdio, forwarding SIGINT,
 * SIGTERM and SIGHUP to it. Resolves with its exit status (128 + signal number when killed).
 */
export function execInNetns(netnsPath: string, argv: readonly string[]): Promise<number> {
  const [cmd, args] = dirname(netnsPath) === "/run/netns" ? ["ip", ["netns", "exec", basename(netnsPath), ...argv]] : ["nsenter", [`--net=${netnsPath}`, "--", ...argv]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const done = (code: number) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code);
    };
    child.on("error", (e) => {
      process.stderr.write(`netd: cannot start ${cmd}: ${e.message}\n`);
      done(127);
    });
    child.on("exit", (code, signal) => done(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? 0;
}
