/** Output for humans (aligned tables) and scripts (`--format json`, Go templates, `-q`). */
import { compileTemplate } from "./template/render.js";
import { TemplateError } from "./template/parse.js";
import { CliError } from "./client.js";

/** Prints rows under headers, columns separated by at least three spaces, as docker does. */
export function printTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("").trimEnd();
  process.stdout.write(`${[line(headers), ...rows.map(line)].join("\n")}\n`);
}

/** Prints a value as indented JSON (inspect, --format json). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 4)}\n`);
}

/** Prints one item per line (ids for -q, names for rm). */
export function printLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
}

/** What a list command prints: its table, one JSON object per line, or a Go template per item. */
export type ListFormat = { readonly kind: "table" } | { readonly kind: "json" } | { readonly kind: "template"; render(item: unknown): string };

/** Compiles a template given on the command line; `\t` means a tab, as docker's formatter reads it. */
function template(format: string): (item: unknown) => string {
  try {
    const t = compileTemplate(format.replace(/\\t/g, "\t"));
    return (item) => t.render(item);
  } catch (e) {
    throw new CliError(`invalid --format '${format}': ${(e as Error).message}`);
  }
}

/** Renders with `render`, turning template errors at run time (an unknown variable) into CLI errors. */
function run(render: (item: unknown) => string, item: unknown, format: string): string {
  try {
    return render(item);
  } catch (e) {
    if (e instanceof TemplateError) throw new CliError(`invalid --format '${format}': ${e.message}`);
    throw e;
  }
}

/** Reads `--format` of a list command: table (default), json, or a Go template (`table TEMPLATE` prints no header). */
export function checkFormat(format: string | undefined): ListFormat {
  if (format === undefined || format === "table") return { kind: "table" };
  if (format === "json") return { kind: "json" };
  const body = format.startsWith("table ") ? format.slice("table ".length) : format;
  const render = template(body);
  return { kind: "template", render: (item) => run(render, item, format) };
}

/** Prints list items for json / template formats: one line per item, as docker does. */
export function printFormatted(format: Exclude<ListFormat, { kind: "table" }>, items: readonly unknown[]): void {
  printLines(items.map((i) => (format.kind === "json" ? JSON.stringify(i) : format.render(i))));
}

/** key=value flags (labels, options) into a map; a missing '=' gives an empty value, as docker does. */
export function keyValues(list: readonly string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === "") throw new Error(`invalid ${what} '${item}'; use key=value`);
    out[key] = eq < 0 ? "" : item.slice(eq + 1);
  }
  return out;
}

/** Collects a repeated option into a list (commander helper). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `inspect` for several references: prints every object found as one JSON array (docker's
 * shape), or with `--format` each object through the template (`json` = one JSON line each),
 * then fails with every lookup error, one per line, so scripts see both.
 */
export async function inspectAll(refs: readonly string[], get: (ref: string) => Promise<unknown>, fail: (message: string) => Error, format?: string): Promise<void> {
  const render = format === undefined ? undefined : format === "json" ? (o: unknown) => JSON.stringify(o) : template(format);
  const out: unknown[] = [];
  const errors: string[] = [];
  for (const r of refs) {
    try {
      out.push(await get(r));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (render === undefined) printJson(out);
  else printLines(out.map((o) => run(render, o, format!)));
  if (errors.length > 0) throw fail(errors.join("\n"));
}
