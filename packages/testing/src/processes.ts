import { spawn, type ChildProcess } from "node:child_process";
import { describe } from "./exec.js";
import type { SpawnedProcess } from "./types.js";

const KILL_GRACE_MS = 2000;

/** A child started by the env, remembered until it has exited. */
export interface TrackedProcess extends SpawnedProcess {
  /** What was run, for leftover messages. */
  readonly command: string;
  /** True once the child has exited (its PID may then be reused: never signal it again). */
  exited(): boolean;
  /** Resolves when the child has exited. */
  readonly done: Promise<void>;
  /** Called on every chunk of output (after it was appended to output()). */
  onOutput(listener: () => void): void;
}

/**
 * Starts `file args` (no shell) with stdout/stderr captured and returns its handle. The
 * child is not detached: it dies with the test runner if the runner is killed outright.
 */
export function startProcess(file: string, args: readonly string[], options: { stdin?: boolean } = {}): TrackedProcess & { readonly child: ChildProcess } {
  const child: ChildProcess = spawn(file, args, { stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
  const command = describe(file, args);
  let text = "";
  let hasExited = false;
  const listeners: (() => void)[] = [];
  const append = (chunk: string): void => {
    text += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout?.setEncoding("utf8").on("data", append);
  child.stderr?.setEncoding("utf8").on("data", append);
  const done = new Promise<void>((resolve) => {
    child.on("exit", () => {
      hasExited = true;
      resolve();
    });
    child.on("error", (err) => {
      hasExited = true;
      append(`\n[harness] cannot start ${command}: ${err.message}\n`);
      resolve();
    });
  });
  if (child.pid === undefined) hasExited = true;
  const pid = child.pid ?? -1;

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    signal(pid, "SIGTERM");
    const graceful = await Promise.race([done.then(() => true), delay(KILL_GRACE_MS).then(() => false)]);
    if (!graceful && !hasExited) {
      signal(pid, "SIGKILL");
      await done;
    }
  };
  return {
    child,
    pid,
    command,
    done,
    stop,
    output: () => text,
    exited: () => hasExited,
    onOutput: (listener) => listeners.push(listener),
  };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    // ESRCH: it exited between our check and the signal; that is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** Resolves after `ms` milliseconds without keeping the event loop alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
