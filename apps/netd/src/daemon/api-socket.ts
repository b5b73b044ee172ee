/**
 * Creates the API socket so that it never exists with permissions wider than asked (S1): the
 * server binds inside a fresh 0700 directory next to the final path, where only root can
 * reach it whatever the process umask, gets its mode and group there, and is then renamed
 * into place. rename(2) is atomic: the final path appears with its final permissions.
 * Changing the umask instead would be process-wide and race with other file creations.
 */
import { chmodSync, chownSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

/** Mode and group of the socket at its final path. */
export interface SocketAccess {
  readonly mode: number;
  /** Group owner; undefined keeps the daemon's. */
  readonly gid?: number;
}

/**
 * Calls `listen` with a private path, applies `access`, renames the socket to `socketPath`.
 * On failure nothing is left at either path (the caller closes the server).
 */
export async function listenPrivately(listen: (path: string) => Promise<unknown>, socketPath: string, access: SocketAccess): Promise<void> {
  // Short name: unix socket paths are limited to 107 bytes.
  const dir = mkdtempSync(join(dirname(socketPath), ".netd-"));
  try {
    const bound = join(dir, "s");
    await listen(bound);
    chmodSync(bound, access.mode);
    if (access.gid !== undefined) chownSync(bound, -1, access.gid);
    renameSync(bound, socketPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
