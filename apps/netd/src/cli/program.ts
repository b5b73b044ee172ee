/** The `netd` command line. */
import { Command, InvalidArgumentError } from "commander";
import { startDaemon } from "../daemon/run-daemon.js";
import { NETD_VERSION } from "../version.js";

export const DEFAULT_SOCKET = "/run/netd/netd.sock";
export const DEFAULT_DATA_DIR = "/var/lib/netd";

function absolutePath(value: string): string {
  if (!value.startsWith("/")) throw new InvalidArgumentError(`'${value}' is not an absolute path; give a path starting with /`);
  return value;
}

export function buildProgram(): Command {
  const program = new Command();
  program.name("netd").description("Container networking for Linux: a Docker-compatible network API on a unix socket.").version(NETD_VERSION);
  program
    .command("daemon")
    .description("run the netd daemon in the foreground")
    .option("--socket <path>", "unix socket to serve the API on", absolutePath, DEFAULT_SOCKET)
    .option("--data-dir <dir>", "directory for netd's state", absolutePath, DEFAULT_DATA_DIR)
    .action(async (opts: { socket: string; dataDir: string }) => {
      const daemon = await startDaemon({ socket: opts.socket, dataDir: opts.dataDir });
      process.stdout.write(`${JSON.stringify({ level: "info", msg: "netd ready", socket: opts.socket, pid: process.pid })}\n`);
      const shutdown = (signal: string) => {
        process.stdout.write(`${JSON.stringify({ level: "info", msg: "netd stopping", signal })}\n`);
        void daemon.stop().then(() => process.exit(0));
      };
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
    });
  return program;
}
