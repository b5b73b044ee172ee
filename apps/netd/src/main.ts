#!/usr/bin/env node
import { CliError } from "./cli/client.js";
import { buildProgram, normalizeBoolFlags } from "./cli/program.js";

buildProgram()
  .parseAsync(normalizeBoolFlags(process.argv))
  .catch((e: unknown) => {
    process.stderr.write(`netd: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof CliError ? e.exitCode : 1);
  });

// The package is the CLI; its module exports only the version, so the typed entry is a module.
export { NETD_VERSION } from "./version.js";
