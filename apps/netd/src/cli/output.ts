/** Output for humans (aligned tables) and scripts (`--format json`, `-q`). */

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

/** Validates `--format`: "table" (default) or "json". */
export function checkFormat(format: string | undefined): "table" | "json" {
  if (format === undefined || format === "table") return "table";
  if (format === "json") return "json";
  throw new Error(`unknown --format '${format}'; use table or json`);
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
 * shape), then fails with every lookup error, one per line, so scripts see both.
 */
export async function inspectAll(refs: readonly string[], get: (ref: string) => Promise<unknown>, fail: (message: string) => Error): Promise<void> {
  const out: unknown[] = [];
  const errors: string[] = [];
  for (const r of refs) {
    try {
      out.push(await get(r));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  printJson(out);
  if (errors.length > 0) throw fail(errors.join("\n"));
}
