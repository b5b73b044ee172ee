import { spawn } from "node:child_process";
import type { Writable } from "node:stream";

/** Outcome of {@link runTool}. */
export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runTool}. */
export interface ToolOptions {
  readonly cwd?: string;
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  /** Receives stdout instead of collecting it (e.g. a gzip stream). */
  readonly stdoutTo?: Writable;
}

/**
 * Runs a setup tool (apt-get, dpkg-deb, ldd, cpio, busybox) with an argv array, never a shell.
 * Resolves with the exit code, also when non-zero; rejects when it cannot start.
 */
export function runTool(file: string, args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    if (options.stdoutTo) child.stdout.pipe(options.stdoutTo);
    else child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", (err) => reject(new Error(`cannot run ${file}: ${err.message}`, { cause: err })));
    child.on("close", (code, signal) => resolve({ code: code ?? 128 + (signal ? 9 : 0), stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Like {@link runTool} but rejects with the tool's stderr when it exits non-zero. */
export async function mustRun(file: string, args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  const result = await runTool(file, args, options);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(" ")} exited with ${result.code}: ${result.stderr.trim().slice(-2000)}`);
  }
  return result;
}
