/**
 * Starting a user's command inside a sandbox's namespace (`netd run`, like `docker run`
 * starts a container's process). It lives here because only the kernel package spawns
 * processes: it runs `ip netns exec NAME CMD…` (or `nsenter --net=PATH` for a namespace
 * outside /run/netns) with an argument array, never a shell, on the caller's terminal.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Options of {@link execInNetns}. */
export interface ExecInNetnsOptions {
  /**
   * Text to show the command as /etc/resolv.conf. For namespaces under /run/netns it is
   * written to /etc/netns/NAME/resolv.conf, which `ip netns exec` bind-mounts over
   * /etc/resolv.conf in the command's private mount namespace; the file (and the directory,
   * when this call created it) is removed when the command exits. Ignored for other paths.
   */
  readonly resolvConf?: string;
}

/**
 * Runs `argv` in the namespace at `netnsPath` with the terminal's stdio, forwarding SIGINT,
 * SIGTERM and SIGHUP to it. Resolves with its exit status (128 + signal number when killed).
 */
export function execInNetns(netnsPath: string, argv: readonly string[], options: ExecInNetnsOptions = {}): Promise<number> {
  const named = dirname(netnsPath) === "/run/netns";
  const [cmd, args] = named ? ["ip", ["netns", "exec", basename(netnsPath), ...argv]] : ["nsenter", [`--net=${netnsPath}`, "--", ...argv]];
  const removeFiles = named && options.resolvConf !== undefined ? writeNetnsEtc(basename(netnsPath), options.resolvConf) : () => undefined;
  return new Promise<number>((resolve) => {
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
  }).finally(removeFiles);
}

/** Writes /etc/netns/NAME/resolv.conf; returns what removes it again. */
function writeNetnsEtc(name: string, resolvConf: string): () => void {
  const dir = join("/etc/netns", name);
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "resolv.conf");
  writeFileSync(file, resolvConf);
  return () => rmSync(created ? dir : file, { recursive: true, force: true });
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? 0;
}
