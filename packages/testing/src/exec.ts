import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { ExecResult } from "./types.js";

/** Options of {@link run}. */
export interface RunOptions {
  /** Written to stdin, which is then closed; absent closes stdin at once. */
  readonly input?: string;
  /** Kill the command (SIGKILL) and reject after this many ms; absent waits forever. */
  readonly timeoutMs?: number;
}

/**
 * Runs `file` with an argv array (never a shell) and collects its output. Resolves with the
 * exit code, also when it is non-zero; a death by signal N is reported as 128 + N, like a
 * shell would. Rejects if the command cannot start or outlives `timeoutMs`.
 */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${describe(file, args)}: ${err.message}`, { cause: err }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new Error(`${describe(file, args)} timed out after ${options.timeoutMs} ms; stderr: ${stderr.trim()}`));
        return;
      }
      const status = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolve({ code: status, stdout, stderr });
    });
    // A command that exits without reading stdin makes the write fail with EPIPE; the exit
    // status is what the caller cares about.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** Like {@link run}, but rejects with the command and its stderr when the exit code is not 0. */
export async function runOk(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(`${describe(file, args)} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

/** The command line for messages (quoted only for reading; it is never run through a shell). */
export function describe(file: string, args: readonly string[]): string {
  const shown = args.map((a) => (a.length > 80 ? `${a.slice(0, 77)}...` : a));
  return [file, ...shown].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}
