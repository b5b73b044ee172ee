/**
 * Starting a user's command inside a sandbox's namespace (`netd run`, like `docker run`
 * starts a container's process). It lives here because only the kernel package spawns
 * processes: it runs `nsenter --net=PATH -- CMD…` (or `ip netns exec NAME CMD…` when a
 * resolv.conf is to be shown, which needs ip's private mount namespace) with an argument array,
 * never a shell, on the caller's terminal. Exit statuses follow docker's: 127 command not found, 126 not
 * executable, 125 namespace not enterable (checked before spawning, so CMD's own 1 stays 1).
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";

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

/** Why the namespace at `netnsPath` cannot be entered by this process, or null when it can. */
export function netnsEnterProblem(netnsPath: string): string | null {
  if (netnsPath.startsWith("/proc/")) return null;
  let mounts: string;
  try {
    mounts = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return null;
  }
  // mountinfo: "id parent maj:min root mountpoint opts [optional...] - fstype source superopts";
  // a namespace file is a bind mount of nsfs. Without it the path is an empty file, and entering
  // fails with EINVAL: typically the daemon runs in another mount namespace (`ip netns exec`).
  const escaped = netnsPath.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
  for (const line of mounts.split("\n")) {
    const f = line.split(" ");
    const dash = f.indexOf("-");
    if (f[4] === escaped && dash > 0 && f[dash + 1] === "nsfs") return null;
  }
  return `${netnsPath} is not a network namespace mount in this mount namespace; the daemon's sandboxes are invisible here, which happens when netd was started with 'ip netns exec' (start it with 'nsenter --net=/run/netns/NAME' instead)`;
}

/**
 * Runs `argv` in the namespace at `netnsPath` with the terminal's stdio, forwarding SIGINT,
 * SIGTERM and SIGHUP to it. Resolves with its exit status (128 + signal number when killed,
 * 125 when the namespace cannot be entered, 127/126 when the command is missing/not executable).
 */
export function execInNetns(netnsPath: string, argv: readonly string[], options: ExecInNetnsOptions = {}): Promise<number> {
  const problem = netnsEnterProblem(netnsPath);
  if (problem !== null) {
    process.stderr.write(`netd: cannot enter the sandbox: ${problem}\n`);
    return Promise.resolve(125);
  }
  // Checked here because `ip netns exec` (used to show a resolv.conf) exits 255 for both.
  const missing = commandProblem(argv[0] ?? "");
  if (missing !== null) {
    process.stderr.write(`netd: ${missing.message}\n`);
    return Promise.resolve(missing.status);
  }
  const named = dirname(netnsPath) === "/run/netns" && options.resolvConf !== undefined;
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
      process.stderr.write(`netd: cannot start ${cmd}: ${e.message}; install ${cmd === "ip" ? "iproute2" : "util-linux"}\n`);
      done(125);
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

/** Docker's 127 (not found) and 126 (not executable) for the command, looked up as execvp does. */
function commandProblem(command: string): { status: number; message: string } | null {
  const candidates = command.includes("/") ? [command] : (process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter).filter((d) => d !== "").map((d) => join(d, command));
  let found: string | null = null;
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    found ??= path;
    try {
      if (statSync(path).isFile()) {
        accessSync(path, constants.X_OK);
        return null;
      }
    } catch {
      // Present but not executable: keep looking along PATH, as execvp does.
    }
  }
  // The wording of execvp's errors, as nsenter prints them (scripts match on it).
  if (found !== null) return { status: 126, message: `failed to execute ${found}: Permission denied` };
  return { status: 127, message: `failed to execute ${command}: No such file or directory${command.includes("/") ? "" : " (not found in PATH)"}` };
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? 0;
}
