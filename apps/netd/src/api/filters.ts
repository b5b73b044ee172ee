/**
 * Docker's `filters` query parameter: JSON `{"name":{"web":true}}` (current clients) or
 * `{"name":["web"]}` (old ones), turned into field → accepted values.
 */
import { invalidArgument } from "@netd/driverapi";

export type Filters = ReadonlyMap<string, readonly string[]>;

/** Parses `filters`; rejects unknown filter names with the list of supported ones. */
export function parseFilters(raw: string | undefined, allowed: readonly string[]): Filters {
  const out = new Map<string, string[]>();
  if (raw === undefined || raw === "") return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw invalidArgument(`invalid filters ${JSON.stringify(raw)}: ${e instanceof Error ? e.message : String(e)}`, 'pass JSON like {"name":{"web":true}}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalidArgument(`invalid filters ${JSON.stringify(raw)}`, 'pass a JSON object like {"name":{"web":true}}');
  for (const [field, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!allowed.includes(field)) throw invalidArgument(`invalid filter '${field}'`, `use one of ${allowed.join(", ")}`);
    const values = Array.isArray(value) ? value : typeof value === "object" && value !== null ? Object.entries(value).filter(([, on]) => on === true).map(([k]) => k) : null;
    if (values === null || values.some((v) => typeof v !== "string")) throw invalidArgument(`invalid value for filter '${field}': ${JSON.stringify(value)}`, `pass {"${field}":{"value":true}}`);
    out.set(field, values as string[]);
  }
  return out;
}

/** True when every label filter ("key" or "key=value") matches `labels`. */
export function labelsMatch(filters: readonly string[] | undefined, labels: Readonly<Record<string, string>>): boolean {
  return (filters ?? []).every((f) => {
    const eq = f.indexOf("=");
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}
