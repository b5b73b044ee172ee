#!/usr/bin/env node
import { CliError } from "./cli/client.js";
import { runCli } from "./cli/program.js";

const debug = process.argv.slice(2, process.argv.indexOf("--") < 0 ? undefined : process.argv.indexOf("--")).some((a) => a === "-D" || a === "--debug");
runCli(process.argv).catch((e: unknown) => {
  const code = e instanceof CliError && e.code !== undefined && debug ? ` (code ${e.code})` : "";
  process.stderr.write(`netd: ${e instanceof Error ? e.message : String(e)}${code}\n`);
  process.exit(e instanceof CliError ? e.exitCode : 1);
});

// The package is the CLI; its module exports only the version, so the typed entry is a module.
export { NETD_VERSION } from "./version.js";
