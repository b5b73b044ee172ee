/**
 * One netd per socket, per data dir and per network namespace. A live socket or a lock file
 * naming a live process means another netd owns them; a stale socket or lock (after kill -9)
 * is taken over. The namespace lock is an abstract unix socket: abstract socket names are
 * scoped to the network namespace by the kernel and vanish with the process that bound them,
 * so two daemons with different sockets and data dirs still cannot share a namespace (they
 * would overwrite each other's nft tables and hand out the same subnets), and a killed
 * daemon leaves no stale lock.
 */
import { connect, createServer, type Server } from "node:net";
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

/** The default name of the namespace lock (an abstract socket, "@netd.daemon" in `ss -x`). */
export const NETNS_LOCK = "netd.daemon";

/** Who holds a namespace lock, as its holder tells anyone who connects. */
interface Holder {
  readonly pid: number;
  readonly socket: string;
  readonly dataDir: string;
}

function readHolder(name: string): Promise<Holder | null> {
  return new Promise((resolve) => {
    let text = "";
    const s = connect({ path: `\0${name}` });
    const timer = setTimeout(() => s.destroy(), 2000);
    s.on("data", (d: Buffer) => (text += d.toString()));
    s.once("close", () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text) as Holder);
      } catch {
        resolve(null);
      }
    });
    s.once("error", () => undefined);
  });
}

/**
 * Binds the namespace lock `name` in the daemon's own network namespace; refuses, naming the
 * holder, when another process has it. Resolves to the bound server (close it to release).
 */
async function claimNetns(name: string, socketPath: string, dataDir: string): Promise<Server> {
  const me: Holder = { pid: process.pid, socket: socketPath, dataDir };
  const server = createServer((c) => c.end(`${JSON.stringify(me)}\n`));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ path: `\0${name}` }, () => resolve());
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    const h = await readHolder(name);
    const who = h ? `another netd (pid ${h.pid}, socket ${h.socket}, data dir ${h.dataDir})` : "another netd";
    throw new OwnershipError(`${who} already runs in this network namespace (lock @${name}); one netd manages a namespace's networking alone: stop it first, or run this one in another network namespace`);
  }
  // The lock alone must not keep a finished `netd cleanup` alive.
  server.unref();
  return server;
}

/**
 * Claims the data dir (lock file with our pid), clears a stale socket and, unless
 * `netnsLock` is null, takes the namespace lock. Returns a release function.
 */
export async function claim(socketPath: string, dataDir: string, netnsLock: string | null = NETNS_LOCK): Promise<() => void> {
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
  const nsLock = netnsLock === null ? null : await claimNetns(netnsLock, socketPath, dataDir);
  writeFileSync(lock, `${process.pid}\n`, { mode: 0o600 });
  // Node 20's fs.realpathSync (used by require) reads the LAST stat result for cached path
  // components and stops resolving symlinks when it was a socket or FIFO: after rmSync of a
  // stale socket, every later lazy require resolved pnpm symlinks wrongly ("Cannot find module
  // 'ajv/dist/jtd'"). Stat a plain directory so the shared stat buffer no longer says socket.
  statSync(dataDir);
  return () => {
    nsLock?.close();
    rmSync(socketPath, { force: true });
    if (existsSync(lock) && readFileSync(lock, "utf8").trim() === String(process.pid)) rmSync(lock, { force: true });
  };
}
