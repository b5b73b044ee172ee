/**
 * The `netd` command line: the daemon, and a client of its API over the unix socket
 * (`-H unix:///path` or NETD_HOST). Exit codes: 0 success, 1 any error (the daemon's message
 * on stderr), 125 for `run` when the sandbox cannot be created, otherwise CMD's status.
 */
import { Command } from "commander";
import { NETD_VERSION } from "../version.js";
import { booleanFlags, normalizeBoolFlags } from "./bool-flags.js";
import { ApiClient, DEFAULT_HOST } from "./client.js";
import { daemonCommands } from "./commands/daemon.js";
import { driversCommand } from "./commands/drivers.js";
import { networkCommands } from "./commands/network.js";
import { runCommand } from "./commands/run.js";
import { sandboxCommands } from "./commands/sandbox.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("netd")
    .description("Container networking for Linux: a Docker-compatible network API on a unix socket, and its CLI.")
    .version(NETD_VERSION)
    .option("-H, --host <url>", "daemon socket, unix:///path (default: $NETD_HOST or unix:///run/netd/netd.sock)")
    .option("-D, --debug", "print the daemon's error code with each error")
    .showHelpAfterError();
  const client = () => new ApiClient(program.opts<{ host?: string }>().host ?? process.env.NETD_HOST ?? DEFAULT_HOST);
  daemonCommands(program);
  networkCommands(program, client);
  sandboxCommands(program, client);
  runCommand(program, client);
  driversCommand(program, client);
  return program;
}

/** Parses `argv` (process.argv's shape) with docker's boolean flag forms and runs the command. */
export async function runCli(argv: readonly string[]): Promise<Command> {
  const program = buildProgram();
  return program.parseAsync(normalizeBoolFlags(argv, booleanFlags(program)));
}
