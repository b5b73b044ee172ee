/**
 * `netd daemon`: claims the socket and data dir, serves the API until SIGTERM/SIGINT, then
 * closes cleanly. Kernel state is never torn down on shutdown: containers keep their
 * networking across a restart.
 */
import { chmodSync } from "node:fs";
import type { Server } from "node:http";
import { createApiServer } from "../api/server.js";
import { claim } from "./ownership.js";

export interface DaemonOptions {
  readonly socket: string;
  readonly dataDir: string;
}

export interface RunningDaemon {
  readonly server: Server;
  /** Stops serving and releases the socket and lock. Idempotent. */
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const release = await claim(options.socket, options.dataDir);
  const server = createApiServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ path: options.socket }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(options.socket, 0o660);
  } catch (e) {
    release();
    throw e;
  }
  let stopped: Promise<void> | null = null;
  return {
    server,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(release);
      return stopped;
    },
  };
}
