/**
 * `netd cleanup` (also `netd daemon --cleanup`): removes everything netd owns, using the
 * store: every sandbox (leaving its networks; namespaces netd created are deleted), every
 * endpoint and network through its driver, then each driver's `cleanup` (its nft tables,
 * leftovers), then the store itself. Refuses while a daemon owns the socket or the data dir, or runs in this network namespace.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Driver, Kernel } from "@netd/driverapi";
import { createLinuxKernel, quitProxy } from "@netd/kernel";
import { Controller } from "@netd/libnet-core";
import { createOsPortReserver, createPortAllocator } from "@netd/portallocator";
import type { Logger as PinoLogger } from "pino";
import { createDrivers } from "../drivers.js";
import { LOG_FILE, openLogStore } from "../store/log-store.js";
import { SNAPSHOT_FILE } from "../store/snapshot.js";
import { driverLogger } from "./logger.js";
import { processesInNetns } from "./netns-procs.js";
import { PROXY_SOCKET } from "./userland-proxy.js";
import { claim, NETNS_LOCK } from "./ownership.js";

export interface CleanupOptions {
  readonly socket: string;
  readonly dataDir: string;
  readonly log: PinoLogger;
  readonly netnsPrefix?: string;
  readonly kernel?: Kernel;
  readonly drivers?: Driver[];
  /** The namespace lock, as the daemon's `netnsLock`: cleanup refuses while a daemon runs in this namespace. */
  readonly netnsLock?: string | null;
}

/** What was removed, and what failed (the rest is still removed). */
export interface CleanupResult {
  readonly sandboxes: string[];
  readonly networks: string[];
  readonly failures: string[];
  /** Sandboxes that still had processes when they were removed: those lost their network. */
  readonly busy: Array<{ readonly sandbox: string; readonly pids: number[] }>;
}

export async function cleanup(options: CleanupOptions): Promise<CleanupResult> {
  const release = await claim(options.socket, options.dataDir, options.netnsLock !== undefined ? options.netnsLock : options.kernel ? null : NETNS_LOCK);
  const result: CleanupResult = { sandboxes: [], networks: [], failures: [], busy: [] };
  const fail = (what: string, e: unknown) => result.failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  try {
    const store = await openLogStore({ dir: options.dataDir });
    const kernel = options.kernel ?? createLinuxKernel();
    const drivers = options.drivers ?? createDrivers({ userlandProxy: false });
    const ports = createPortAllocator();
    try {
      const controller = await Controller.open({ kernel, store, drivers, ports, portReserver: createOsPortReserver({ allocator: ports }), log: driverLogger(options.log), netnsPrefix: options.netnsPrefix ?? "netd-" });
      for (const sb of controller.listSandboxes()) {
        const pids = processesInNetns(sb.netns);
        if (pids.length > 0) {
          result.busy.push({ sandbox: sb.name, pids });
          options.log.warn({ sandbox: sb.name, pids }, "removing a sandbox whose processes still run; they lose their network");
        }
        const errors = await controller.deleteSandbox(sb.id).catch((e: unknown) => [e]);
        for (const e of errors) fail(`sandbox ${sb.name}`, e);
        result.sandboxes.push(sb.name);
      }
      for (const ep of controller.listEndpoints()) await controller.deleteEndpoint(ep.id, { force: true }).catch((e: unknown) => fail(`endpoint ${ep.id.slice(0, 12)}`, e));
      for (const n of controller.listNetworks()) {
        try {
          await controller.deleteNetwork(n.id);
          result.networks.push(n.name);
        } catch (e) {
          fail(`network ${n.name}`, e);
        }
      }
      for (const f of await controller.cleanupDrivers()) fail(`driver ${f.driver} cleanup`, f.error);
      for (const f of await controller.close()) fail("driver shutdown", f);
      // A proxy a killed daemon left running (with the bindings removed above, it serves nothing).
      // Whatever drivers were passed in: the CLI passes the built-in ones plus the configured.
      const pid = await quitProxy(join(options.dataDir, PROXY_SOCKET));
      if (pid !== null) options.log.info({ pid }, "stopped the userland proxy");
    } finally {
      await kernel.close();
    }
    if (result.failures.length === 0) {
      await rm(join(options.dataDir, LOG_FILE), { force: true });
      await rm(join(options.dataDir, SNAPSHOT_FILE), { force: true });
    }
  } finally {
    release();
  }
  return result;
}
