/**
 * docker-style boolean flags: every boolean flag accepts `--x`, `--x=true` and `--x=false`
 * (and the other spellings of Go's strconv.ParseBool). Commander knows only `--x` and, when
 * declared, `--no-x`; this rewrites the `=value` forms before commander parses, using the
 * flags the program declares, so `--x=false` never turns into a `--no-x` the user did not type.
 */
import type { Command } from "commander";
import { CliError } from "./client.js";

const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** Long names (without `--`) of every boolean flag declared anywhere in `program`. */
export function booleanFlags(program: Command): Set<string> {
  const out = new Set<string>();
  const walk = (c: Command) => {
    for (const o of c.options) if (o.long && !o.required && !o.optional) out.add(o.long.slice(2));
    c.commands.forEach(walk);
  };
  walk(program);
  return out;
}

/**
 * Rewrites `--x=<bool>` for the boolean flags in `known`: true gives `--x`, false gives
 * `--no-x` when that is declared (the flag defaults to on), else nothing (the flag's default
 * is off). `--no-x=false` means `--x`. Arguments after `--` are the command's, left as they are.
 * A value that is not a boolean fails naming the flag.
 */
export function normalizeBoolFlags(argv: readonly string[], known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  let rest = false;
  for (const a of argv) {
    if (rest || a === "--") {
      rest = true;
      out.push(a);
      continue;
    }
    const m = /^--([a-z0-9-]+)=(.*)$/.exec(a);
    if (!m || !known.has(m[1]!)) {
      out.push(a);
      continue;
    }
    const [, name, value] = m as unknown as [string, string, string];
    if (!TRUE.has(value) && !FALSE.has(value)) throw new CliError(`invalid value '${value}' for --${name}; use --${name}, --${name}=true or --${name}=false`);
    const on = TRUE.has(value) !== name.startsWith("no-");
    const base = name.startsWith("no-") ? name.slice(3) : name;
    const flag = on ? base : `no-${base}`;
    // The spelling that commander knows; a flag whose other form is not declared is its default.
    if (known.has(flag)) out.push(`--${flag}`);
  }
  return out;
}
