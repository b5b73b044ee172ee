/**
 * Starting netd-proxy or finding the one that already runs. The proxy is started detached
 * (its own session, no stdio tie to the daemon) so that it outlives the daemon: a daemon
 * killed with SIGKILL leaves it running with its flows, and the next daemon attaches to it
 * through the same control socket. Only this package spawns processes.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { controlConnect, controlRequest, closeFd } from "@netd/netlink-native";
import { kernelError } from "../linux/errors.js";

/** How to reach or start the proxy. */
export interface ProxyProcessOptions {
  /** The control socket path (the daemon's data directory holds it). */
  readonly socketPath: string;
  /** The executable; default: the one built with @netd/netlink-native. */
  readonly binary: string;
  /** Where the proxy's stderr goes (appended); null: discarded. */
  readonly logPath: string | null;
  /** Idle timeout of UDP flows in seconds (proxy default 90). */
  readonly udpIdleSeconds?: number;
  /** Called when a proxy this process spawned exits: noticed at once, not at the next ping. */
  readonly onExit?: (pid: number) => void;
}

/** A control connection and the pid the proxy reported. */
export interface ProxyConnection {
  readonly fd: number;
  readonly pid: number;
}

const START_WAIT_MS = 3000;

/** Connects to a running proxy; null when none answers on the socket. */
export async function connectProxy(socketPath: string): Promise<ProxyConnection | null> {
  let fd: number;
  try {
    fd = await controlConnect(socketPath, 2000);
  } catch {
    return null;
  }
  try {
    const reply = await controlRequest(fd, "ping");
    const pid = Number(/^ok (\d+)$/.exec(reply)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`unexpected ping reply '${reply}'`);
    return { fd, pid };
  } catch {
    closeFd(fd);
    return null;
  }
}

/** Starts a proxy and connects to it, waiting until its control socket answers. */
export async function spawnProxy(options: ProxyProcessOptions): Promise<ProxyConnection> {
  const args = ["--socket", options.socketPath];
  if (options.udpIdleSeconds !== undefined) args.push("--udp-idle", String(options.udpIdleSeconds));
  const log = options.logPath === null ? "ignore" : openSync(options.logPath, "a");
  let failed: Error | undefined;
  try {
    const child = spawn(options.binary, args, { detached: true, stdio: ["ignore", log, log] });
    child.once("error", (e) => {
      failed = e;
    });
    const onExit = options.onExit;
    if (onExit) child.once("exit", () => onExit(child.pid ?? -1));
    child.unref();
  } finally {
    if (typeof log === "number") closeSync(log);
  }
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    if (failed) break;
    const conn = await connectProxy(options.socketPath);
    if (conn) return conn;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw kernelError("PROXY_UNAVAILABLE", `netd-proxy did not come up on ${options.socketPath}${failed ? `: ${failed.message}` : ""}`, `check that ${options.binary} exists (it is built with @netd/netlink-native) and read ${options.logPath ?? "its stderr"}`, {
    binary: options.binary,
    socketPath: options.socketPath,
  });
}

/**
 * Ends the proxy serving `socketPath`, if one runs (`netd cleanup` after a daemon was
 * killed). Resolves to its pid, or null when none answered.
 */
export async function quitProxy(socketPath: string): Promise<number | null> {
  const conn = await connectProxy(socketPath);
  if (!conn) return null;
  try {
    await controlRequest(conn.fd, "quit").catch(() => undefined);
  } finally {
    closeFd(conn.fd);
  }
  return conn.pid;
}

/**
 * Ends a proxy that stopped answering (hung, e.g. SIGSTOP) before a new one takes over: the
 * hung process still holds the published ports' listening sockets and the control socket, so
 * the new proxy could neither get them nor be told apart from it. Only a process whose
 * command line serves `socketPath` is killed, so a reused pid is never hit. Resolves when it
 * is gone (or a zombie), at most after a second.
 */
export async function endHungProxy(pid: number, socketPath: string): Promise<void> {
  const running = (): boolean => {
    try {
      const state = readFileSync(`/proc/${pid}/stat`, "utf8");
      return state.slice(state.lastIndexOf(")") + 2, state.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return false;
    }
  };
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(socketPath)) return;
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  for (const deadline = Date.now() + 1000; running() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
}
