/**
 * `netd daemon`: claims the socket and data dir, opens the store, the kernel and the drivers,
 * restores the Controller, serves the API. `stop()` (SIGTERM/SIGINT) stops serving and closes
 * everything in reverse; kernel state is never torn down, so containers keep their networking.
 */
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { NetdError } from "@netd/driverapi";
import type { Driver, Kernel } from "@netd/driverapi";
import { createLinuxKernel, quitProxy, raiseOpenFileLimit, shareMallocArena, trimMalloc } from "@netd/kernel";
import { Controller } from "@netd/libnet-core";
import { createOsPortReserver, createPortAllocator } from "@netd/portallocator";
import type { Logger as PinoLogger } from "pino";
import type { ApiApp } from "../api/app-types.js";
import { EventBus } from "../api/events.js";
import { Metrics } from "../api/metrics.js";
import { kernelHostView } from "../api/host-guard/host-view.js";
import { createApiServer } from "../api/server.js";
import { DnsSync } from "../dns/dns-sync.js";
import { openLogStore } from "../store/log-store.js";
import { resolveGroup } from "./config.js";
import { describeBuiltin, openDrivers, type DriverEntry } from "./driver-loader/index.js";
import type { DaemonConfig } from "./config.js";
import { driverLogger } from "./logger.js";
import { ensureDefaultNetwork } from "./default-network.js";
import { killSeam } from "./kill-at.js";
import { trimAfterChanges } from "./malloc-trim.js";
import { listenPrivately } from "./api-socket.js";
import { netnsPropagationProblem } from "./mount-propagation.js";
import { claim, NETNS_LOCK } from "./ownership.js";
import { proxyGauges } from "./proxy-metrics.js";
import { createDaemonProxy, PROXY_SOCKET } from "./userland-proxy.js";

/**
 * What {@link startDaemon} needs; `kernel` and `drivers` are injectable for unit tests. With an
 * injected kernel the default network is off unless `defaultBridge` asks for it, and the host
 * checks (routes, addresses, mount propagation) are skipped: they read the real host.
 */
export interface DaemonOptions extends Pick<DaemonConfig, "socket" | "dataDir">, Partial<Omit<DaemonConfig, "socket" | "dataDir" | "drivers">> {
  readonly log?: PinoLogger;
  readonly kernel?: Kernel;
  /** Replaces the built-in and configured drivers (unit tests). */
  readonly drivers?: Driver[];
  /** The config file's `drivers`, loaded after the built-in ones. */
  readonly driverModules?: readonly DriverEntry[];
  /** Where package names in `driverModules` are resolved first (the config file's directory). */
  readonly configDir?: string;
  /**
   * Name of the per-namespace lock (one daemon per network namespace); null: none. Default:
   * the standard lock with the real kernel, none with an injected one (unit tests run many
   * daemons over fake kernels in one namespace).
   */
  readonly netnsLock?: string | null;
  /** How often self-repair reads the nftables generation, in ms (default 250). */
  readonly selfRepairIntervalMs?: number;
}

export interface RunningDaemon {
  readonly app: ApiApp;
  readonly controller: Controller;
  /** Stops serving, closes drivers, store and kernel, releases socket and lock. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the daemon; resolves once the socket answers. On failure nothing stays claimed. */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const realHost = options.kernel === undefined;
  if (realHost) {
    // Before any pool work: every thread then shares one malloc arena (see shareMallocArena).
    shareMallocArena();
    // V8 grows the heap less eagerly: at 1,000 sandboxes ~20 MB less RSS, with the same CPU
    // per attach+detach cycle in an interleaved run (14.0 vs 14.0 ms). Only heuristics read
    // this flag, so setting it after start is safe.
    setFlagsFromString("--optimize-for-size");
  }
  const problem = realHost ? netnsPropagationProblem() : null;
  if (problem !== null) {
    throw new NetdError({ code: "NETNS_NOT_PROPAGATED", category: "unsupported", message: problem, hint: "start the daemon in the host's mount namespace, entering only the network namespace: nsenter --net=/run/netns/NAME -- netd daemon …", details: {} });
  }
  const release = await claim(options.socket, options.dataDir, options.netnsLock !== undefined ? options.netnsLock : options.kernel ? null : NETNS_LOCK);
  const undo: Array<() => unknown> = [release];
  const unwind = async () => {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  const t0 = Date.now();
  // Start-up steps at debug level with their times: under software emulation (the qemu guest
  // of the VM tests) start-up takes a minute, and this shows where it goes.
  const step = (what: string) => options.log?.debug({ ms: Date.now() - t0 }, what);
  try {
    const gid = options.group === undefined ? undefined : resolveGroup(options.group);
    const userlandProxy = options.userlandProxy ?? true;
    const events = new EventBus();
    // Only with the built-in drivers: injected ones (unit tests) bring their own proxy or none.
    // The handle starts no process yet; the drivers get their views of it at creation.
    const daemonProxy = options.drivers === undefined && userlandProxy ? createDaemonProxy({ dataDir: options.dataDir, events, ...(options.log ? { log: driverLogger(options.log) } : {}) }) : null;
    // Loaded first: a broken driver stops startup before the store or the kernel is opened.
    const loaded = options.drivers ? options.drivers.map(describeBuiltin) : await openDrivers({ userlandProxy, ...(daemonProxy ? { proxy: daemonProxy.proxy } : {}) }, options.driverModules ?? [], options.configDir);
    step("drivers loaded");
    const store = await openLogStore({ dir: options.dataDir });
    undo.push(() => store.close());
    if (options.kernel === undefined) {
      const limits = raiseOpenFileLimit();
      options.log?.info({ softLimit: limits.soft, hardLimit: limits.hard }, "open-file limit");
    }
    const kernel = options.kernel ?? createLinuxKernel();
    undo.push(() => kernel.close());
    step("kernel opened");
    // Not before the kernel: a broken driver or store stops startup with no proxy process started.
    if (daemonProxy) {
      const opened = await daemonProxy.proxy.open();
      // A failed start ends a proxy it started, but leaves one a killed daemon left serving flows.
      undo.push(() => (opened.type === "started" ? daemonProxy.proxy.stop() : daemonProxy.proxy.detach()));
    } else if (options.drivers === undefined) {
      // Proxy off now, but a killed daemon left one running: its ports would stay taken.
      const pid = await quitProxy(join(options.dataDir, PROXY_SOCKET));
      if (pid !== null) options.log?.info({ pid }, "stopped the userland proxy a previous daemon left running");
    }
    const drivers = loaded.map((l) => l.driver);
    const ports = createPortAllocator();
    const log = options.log;
    // Crash tests at exact points (kill-at.ts); a no-op unless NETD_TEST_KILL_AT is set.
    const seam = killSeam(kernel, store);
    const restoreStart = performance.now();
    const controller = await Controller.open({
      kernel: seam.kernel,
      store: seam.store,
      drivers,
      ports,
      ...(options.reserveHostPorts === false ? {} : { portReserver: createOsPortReserver({ allocator: ports }) }),
      ...(log ? { log: driverLogger(log) } : {}),
      netnsPrefix: options.netnsPrefix ?? "netd-",
    });
    undo.push(() => controller.close());
    seam.arm();
    step("controller restored");
    // The drivers' restore adopted what is still published; the rest goes.
    await daemonProxy?.proxy.reconcile();
    const sandboxes = controller.listSandboxes();
    const published = sandboxes.reduce((sum, sb) => sum + sb.portBindings.length, 0);
    const ms = Math.round(performance.now() - restoreStart);
    log?.info({ networks: controller.listNetworks().length, sandboxes: sandboxes.length, publishedPorts: published, ms }, `restored ${controller.listNetworks().length} networks, ${sandboxes.length} sandboxes, ${published} published ports in ${ms} ms`);
    const host = realHost ? kernelHostView(kernel) : undefined;
    if (host && (options.defaultBridge ?? true)) {
      const def = await ensureDefaultNetwork(controller, host);
      if (def === null) log?.warn("a network named 'bridge' exists that netd did not create; it serves as the default network of netd run");
      else if (def.created) log?.info({ network: def.network.name, subnet: def.network.ipv4?.subnet, bridge: "netd0" }, `created the default network bridge (${def.network.ipv4?.subnet ?? "?"})`);
    }
    const dns = await DnsSync.start({
      controller,
      events,
      capabilities: new Map(drivers.map((d) => [d.name, d.capabilities])),
      upstreamFiles: { resolvConf: options.dnsResolvConf ?? "/etc/resolv.conf" },
      ...(log ? { log: driverLogger(log) } : {}),
    });
    undo.push(() => dns.close());
    const metrics = new Metrics();
    const app = await createApiServer({ controller, kernel, events, metrics, dns, drivers: loaded.map((l) => l.description), ...(daemonProxy ? { extraGauges: () => proxyGauges(daemonProxy) } : {}), ...(host ? { host } : {}), ...(log ? { log } : {}) });
    undo.push(() => app.close());
    step("API built");
    const repair = controller.startSelfRepair({
      ...(options.selfRepairIntervalMs !== undefined ? { intervalMs: options.selfRepairIntervalMs } : {}),
      onRepaired(repaired) {
        for (const driver of repaired) {
          metrics.repaired(driver);
          events.emit("daemon", "repair", "netd", { driver });
        }
        log?.warn({ drivers: repaired }, "repaired kernel state changed by someone else");
      },
    });
    undo.push(() => repair.stop());
    const stopTrim = realHost ? trimAfterChanges(events, trimMalloc) : () => undefined;
    undo.push(stopTrim);
    await listenPrivately((path) => app.listen({ path }), options.socket, { mode: 0o660, ...(gid !== undefined ? { gid } : {}) });
    let stopped: Promise<void> | null = null;
    return {
      app,
      controller,
      stop() {
        stopped ??= (async () => {
          await repair.stop();
          stopTrim();
          await app.close();
          await dns.close();
          const failures = await controller.close();
          for (const f of failures) log?.warn({ error: String(f) }, "driver shutdown failed");
          await daemonProxy?.proxy.stop();
          await kernel.close();
          release();
        })();
        return stopped;
      },
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}
