/**
 * `netd daemon` (foreground, JSON logs on stdout) and `netd cleanup`. The daemon's modules
 * (libnet-core, kernel, drivers) are imported lazily, so client commands never load them.
 */
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { DEFAULT_DATA_DIR, DEFAULT_SOCKET, loadDaemonConfig } from "../../daemon/config.js";
import type { DaemonConfig } from "../../daemon/config.js";
import { createLogger } from "../../daemon/logger.js";
import { CliError } from "../client.js";

function absolutePath(value: string): string {
  if (!value.startsWith("/")) throw new InvalidArgumentError(`'${value}' is not an absolute path; give a path starting with /`);
  return value;
}

interface DaemonFlags {
  socket?: string;
  dataDir?: string;
  userlandProxy?: boolean;
  reserveHostPorts?: boolean;
  logLevel?: string;
  config?: string;
  group?: string;
  netnsPrefix?: string;
  dnsResolvConf?: string;
  cleanup?: boolean;
  defaultBridge?: boolean;
}

function config(o: DaemonFlags): DaemonConfig {
  try {
    return loadDaemonConfig(o.config, { socket: o.socket, dataDir: o.dataDir, userlandProxy: o.userlandProxy, reserveHostPorts: o.reserveHostPorts, logLevel: o.logLevel, group: o.group, netnsPrefix: o.netnsPrefix, dnsResolvConf: o.dnsResolvConf, defaultBridge: o.defaultBridge });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

async function runCleanup(cfg: DaemonConfig, configFile: string | undefined): Promise<void> {
  const log = createLogger(cfg.logLevel);
  const { cleanup } = await import("../../daemon/cleanup.js");
  // The configured drivers too: their cleanup hooks remove what they own.
  const { openDrivers } = await import("../../daemon/driver-loader/index.js");
  let drivers;
  try {
    drivers = (await openDrivers({ userlandProxy: false }, cfg.drivers, configFile ? dirname(resolve(configFile)) : undefined)).map((l) => l.driver);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const res = await cleanup({ socket: cfg.socket, dataDir: cfg.dataDir, log, netnsPrefix: cfg.netnsPrefix, drivers });
  for (const b of res.busy) process.stderr.write(`netd: warning: sandbox ${b.sandbox} was removed while processes still ran in it (pids ${b.pids.join(", ")}); they have no network now\n`);
  log.info({ sandboxes: res.sandboxes, networks: res.networks, failures: res.failures }, `cleanup removed ${res.sandboxes.length} sandboxes and ${res.networks.length} networks`);
  if (res.failures.length > 0) throw new CliError(`cleanup left things behind:\n  ${res.failures.join("\n  ")}`);
}

/** Registers `daemon` and `cleanup`. */
export function daemonCommands(program: Command): void {
  const common = (cmd: Command) =>
    cmd
      .option("--socket <path>", `unix socket to serve the API on (default ${DEFAULT_SOCKET})`, absolutePath)
      .option("--data-dir <dir>", `directory for netd's state (default ${DEFAULT_DATA_DIR})`, absolutePath)
      .option("--config <file>", "JSON config file with the same keys (socket, dataDir, userlandProxy, logLevel, group, netnsPrefix) and drivers")
      .option("--log-level <level>", "trace, debug, info, warn, error")
      .option("--netns-prefix <prefix>", 'prefix of namespaces netd creates (default "netd-")');

  common(program.command("daemon").description("run the netd daemon in the foreground"))
    .option("--userland-proxy", "use the userland proxy (--userland-proxy=false to disable)")
    .option("--no-userland-proxy", "do not use the userland proxy")
    .option("--reserve-host-ports", "hold published host ports with sockets (default; --reserve-host-ports=false to disable)")
    .option("--no-reserve-host-ports", "do not hold published host ports with sockets (the runtime holds them: podman with netd-cni)")
    .option("--group <name>", "group owning the socket (mode 0660)")
    .option("--dns-resolv-conf <file>", "resolv.conf naming the upstream servers for names the networks' DNS does not know (default /etc/resolv.conf)", absolutePath)
    .option("--default-bridge", "create the default network 'bridge' (device netd0, first free of 172.17-31.0.0/16) at start (the default; --default-bridge=false to go without)")
    .option("--no-default-bridge", "no default network")
    .option("--cleanup", "remove everything netd owns instead of serving, then exit")
    .action(async (o: DaemonFlags) => {
      const cfg = config(o);
      if (o.cleanup) return runCleanup(cfg, o.config);
      const log = createLogger(cfg.logLevel);
      const { startDaemon } = await import("../../daemon/run-daemon.js");
      let daemon;
      const { drivers: driverModules, ...rest } = cfg;
      try {
        daemon = await startDaemon({ ...rest, driverModules, ...(o.config ? { configDir: dirname(resolve(o.config)) } : {}), log });
      } catch (e) {
        // One line for the log and one for the user; a stack trace is for bugs, not bad setups.
        const code = (e as { code?: unknown }).code;
        log.fatal({ error: e instanceof Error ? e.message : String(e), ...(typeof code === "string" ? { code } : {}) }, "netd failed to start");
        throw new CliError(e instanceof Error ? e.message : String(e), 1, typeof code === "string" ? code : undefined);
      }
      log.info({ socket: cfg.socket, dataDir: cfg.dataDir, userlandProxy: cfg.userlandProxy, drivers: daemon.controller.drivers() }, "netd ready");
      const shutdown = (signal: string) => {
        log.info({ signal }, "netd stopping; kernel state stays");
        daemon
          .stop()
          .then(() => {
            log.info("netd stopped");
            process.exit(0);
          })
          .catch((e: unknown) => {
            log.error({ err: e }, "netd shutdown failed");
            process.exit(1);
          });
      };
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
    });

  common(program.command("cleanup").description("remove every network, sandbox and nft table netd owns, and its store")).action((o: DaemonFlags) => runCleanup(config(o), o.config));
}
