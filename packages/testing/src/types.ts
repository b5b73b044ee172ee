import type { Agent } from "./agent.js";
/** Exit status and captured output of a finished command. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A network namespace created (or adopted) by a {@link TestEnv}. */
export interface TestNetns {
  /** Full name, e.g. "nt3f9a2c-host". */
  readonly name: string;
  /** "/run/netns/<name>", the path the Kernel API takes. */
  readonly path: string;
  /**
   * Runs argv inside the namespace (`ip netns exec NAME ...argv`), never a shell. Resolves with
   * the exit code even when it is non-zero; rejects only when the command cannot start or runs
   * past `timeoutMs` (then it is killed).
   */
  exec(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** `ip -n NAME -j <args>` parsed as JSON (oracle); empty output gives `[]`. Rejects on a non-zero exit. */
  ipJson(args: readonly string[]): Promise<unknown>;
  /** `ip netns exec NAME nft -j <args>` parsed as JSON (oracle), or null if nft says "No such file". */
  nftJson(args: readonly string[]): Promise<unknown>;
}

/** An echo server started by {@link TestEnv.startEchoServer}. */
export interface EchoServer {
  /** The port it listens on (the kernel's choice when 0 was asked for). */
  readonly port: number;
  /** Kills the server by PID (SIGTERM, then SIGKILL); stopping twice is fine. */
  stop(): Promise<void>;
}

/** Options of {@link TestEnv.startEchoServer}. */
export interface EchoServerOptions {
  proto: "tcp" | "udp";
  /** Listen address, e.g. "10.0.0.2", "fd00::2", "0.0.0.0" or "::" (dual-stack, see README). */
  address: string;
  /** Port to listen on; 0 lets the kernel pick one (read it from {@link EchoServer.port}). */
  port: number;
  /** Prefix of every answer; default "echo". */
  reply?: string;
}

/** Options of {@link TestEnv.sendAndReceive}. */
export interface SendOptions {
  proto: "tcp" | "udp";
  address: string;
  port: number;
  payload: string;
  /** How long to wait for the answer; default 3000 ms. */
  timeoutMs?: number;
  /** Client address to bind before sending; absent lets the kernel choose. */
  source?: string;
}

/** Options of {@link TestEnv.canReach}. */
export interface ReachOptions {
  proto: "tcp" | "udp";
  address: string;
  port: number;
  /** How long to wait for an answer; default 1500 ms. */
  timeoutMs?: number;
}

/** Options of {@link TestEnv.spawnIn}. */
export interface SpawnOptions {
  /**
   * Enter only the network namespace (`nsenter --net=PATH`) instead of `ip netns exec`.
   * Needed for code that itself creates namespaces under /run/netns (netd): `ip netns exec`
   * puts the child in a private mount namespace whose new mounts the rest of the machine —
   * the test included — never sees. Default false.
   */
  netOnly?: boolean;
}

/** A long-running child started by {@link TestEnv.spawnIn}. */
export interface SpawnedProcess {
  readonly pid: number;
  /** Kills it by PID (SIGTERM, then SIGKILL after 2 s); stopping an exited process is fine. */
  stop(): Promise<void>;
  /** Everything it wrote so far to stdout and stderr, interleaved in arrival order. */
  output(): string;
}

/** One test's private world: namespaces and processes with a unique prefix, and their cleanup. */
export interface TestEnv {
  /** Unique per env, e.g. "nt3f9a2c" (8 chars, so derived link names fit in 15 bytes). */
  readonly prefix: string;
  /** The label given to {@link createTestEnv}, used in messages; "" when none. */
  readonly label: string;
  /** Creates namespace `${prefix}-${short}` via `ip netns add`, with lo up. */
  netns(short: string): Promise<TestNetns>;
  /**
   * Adopts a namespace created by code under test (e.g. via the Kernel API) so cleanup removes
   * it. Takes a name or a "/run/netns/NAME" path.
   */
  adoptNetns(name: string): void;
  /**
   * Starts a TCP or UDP echo server (a `node -e` child inside the namespace) that answers every
   * payload with `${reply ?? "echo"}:${payload}`. Resolves once it listens. TCP answers once per
   * connection, after the client half-closes; UDP answers every datagram.
   */
  startEchoServer(ns: TestNetns, options: EchoServerOptions): Promise<EchoServer>;
  /**
   * From inside `ns`, sends `payload` to address:port and returns the reply text, or throws
   * (with a clear message) on timeout/refusal. `source` optionally binds the client address.
   */
  sendAndReceive(ns: TestNetns, options: SendOptions): Promise<string>;
  /** Like sendAndReceive but resolves to false instead of throwing when nothing answers. */
  canReach(ns: TestNetns, options: ReachOptions): Promise<boolean>;
  /** Starts a long-running child process inside ns (tracked; killed by PID in cleanup). */
  spawnIn(ns: TestNetns, argv: readonly string[], options?: SpawnOptions): Promise<SpawnedProcess>;
  /**
   * Starts an RPC agent inside `ns`: a node child that imports `modulePath` (an absolute path
   * to an ES module, e.g. one importing the built packages) and serves calls to its exported
   * async functions. It enters only the network namespace (as spawnIn with `netOnly`), so
   * namespaces the code under test creates are visible to the test. Tracked like spawnIn:
   * cleanup stops it. See agent.ts.
   */
  startAgent(ns: TestNetns, modulePath: string, options?: { timeoutMs?: number }): Promise<Agent>;
  /** Kills every process it started (by PID), deletes every namespace it created or adopted. Idempotent. */
  cleanup(): Promise<void>;
  /**
   * Proves nothing the env created remains: no /run/netns/${prefix}*, no adopted namespace, no
   * link whose name starts with the prefix in the root namespace, no process it started still
   * alive, no nft table named netd* or ${prefix}* in the ROOT namespace (read-only check).
   * Throws listing what is left.
   */
  assertNoLeftovers(): Promise<void>;
}
