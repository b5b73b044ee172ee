/**
 * One netd per socket and per data dir. A live socket or a lock file naming a live process
 * means another netd owns them; a stale socket or lock (after kill -9) is taken over.
 */
import { connect } from "node:net";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export class OwnershipError extends Error {}

function socketIsLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A netd killed with -9 stays a zombie until its parent reaps it; it owns nothing any more.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** Claims the data dir (lock file with our pid) and clears a stale socket. Returns a release function. */
export async function claim(socketPath: string, dataDir: string): Promise<() => void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
  const lock = join(dataDir, "netd.lock");
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
      throw new OwnershipError(`another netd (pid ${pid}) owns data dir ${dataDir}; stop it first or pick another --data-dir`);
    }
  }
  if (existsSync(socketPath)) {
    if (await socketIsLive(socketPath)) {
      throw new OwnershipError(`another process is listening on ${socketPath}; stop it first or pick another --socket`);
    }
    rmSync(socketPath, { force: true });
  }
  writeFileSync(lock, `${process.pid}\n`, { mode: 0o600 });
  // Node 20's fs.realpathSync (used by require) reads the LAST stat result for cached path
  // components and stops resolving symlinks when it was a socket or FIFO: after rmSync of a
  // stale socket, every later lazy require resolved pnpm symlinks wrongly ("Cannot find module
  // 'ajv/dist/jtd'"). Stat a plain directory so the shared stat buffer no longer says socket.
  statSync(dataDir);
  return () => {
    rmSync(socketPath, { force: true });
    if (existsSync(lock) && readFileSync(lock, "utf8").trim() === String(process.pid)) rmSync(lock, { force: true });
  };
}
