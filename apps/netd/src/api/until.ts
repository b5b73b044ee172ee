/**
 * Docker's `until` filter values, read as dockerd reads them: a Go duration back from now
 * (`24h`, `1h30m`, `1.5h`, `10m`), Unix seconds (`1700000000`, `1700000000.5`), or an
 * RFC 3339 date (`2026-12-05`, `2026-12-05T10:00:00Z`, …).
 */
import { invalidArgument } from "@netd/driverapi";

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration (`time.ParseDuration`'s syntax), or null when `s` is not one. */
export function parseGoDuration(s: string): number | null {
  const m = /^([-+]?)(.+)$/.exec(s);
  if (!m) return null;
  const body = m[2]!;
  if (body === "0") return 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  for (let p = part.exec(body); p; p = part.exec(body)) {
    total += Number(p[1]) * UNIT_MS[p[2]!]!;
    at = part.lastIndex;
  }
  if (at === 0 || at !== body.length) return null;
  return m[1] === "-" ? -total : total;
}

/**
 * The cutoff (epoch milliseconds) of an `until` value; a duration counts back from `now`.
 * Throws an invalid-argument error naming the value and the accepted forms.
 */
export function untilCutoff(value: string, now: number = Date.now()): number {
  const d = parseGoDuration(value);
  if (d !== null) return now - d;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  // RFC 3339 and its date-only / no-zone forms, as dockerd's timetypes accepts (no zone = local time).
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(value)) {
    const t = Date.parse(value.replace(" ", "T"));
    if (!Number.isNaN(t)) return t;
  }
  throw invalidArgument(`invalid until filter '${value}'`, "use a Go duration such as 24h or 1h30m, Unix seconds, or an RFC 3339 date such as 2026-01-02T15:04:05Z");
}
