#!/usr/bin/env node
import { buildProgram } from "./cli/program.js";

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.stderr.write(`netd: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
