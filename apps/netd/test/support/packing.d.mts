/** Types of packing.mjs. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}
export function run(argv: readonly string[], options?: { cwd?: string; env?: Record<string, string> }): Promise<RunResult>;
export function publicPackages(root: string): Array<{ dir: string; name: string }>;
export function packAndInstall(root: string, scratch: string, extraDeps?: readonly string[]): Promise<{ proj: string; tarballs: Array<{ dir: string; name: string; tarball: string }> }>;
