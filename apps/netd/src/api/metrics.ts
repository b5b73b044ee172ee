/**
 * Prometheus text exposition for `GET /metrics`: request counts and a latency histogram per
 * operation (method and route pattern) and status, plus gauges read at scrape time.
 */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Collects request metrics; `render` produces the exposition text. */
export class Metrics {
  private readonly requests = new Map<string, { op: string; status: number; n: number }>();
  private readonly latency = new Map<string, Series>();
  private readonly repairs = new Map<string, number>();

  /** Records that `driver` repaired what someone else changed (self-repair). */
  repaired(driver: string): void {
    this.repairs.set(driver, (this.repairs.get(driver) ?? 0) + 1);
  }

  /** Records one finished request; called from the server's onResponse hook. */
  observe(op: string, status: number, seconds: number): void {
    const key = `${op} ${status}`;
    const r = this.requests.get(key) ?? { op, status, n: 0 };
    r.n++;
    this.requests.set(key, r);
    const s = this.latency.get(op) ?? { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
    s.count++;
    s.sum += seconds;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s.buckets[i]!++;
    });
    this.latency.set(op, s);
  }

  /** The exposition text; `gauges` are name → [help, value or labelled values]. */
  render(gauges: ReadonlyArray<{ name: string; help: string; values: ReadonlyArray<{ labels?: Record<string, string>; value: number }> }>): string {
    const out: string[] = [];
    out.push("# HELP netd_api_requests_total API requests by operation and status.", "# TYPE netd_api_requests_total counter");
    for (const r of this.requests.values()) out.push(`netd_api_requests_total{op="${label(r.op)}",status="${r.status}"} ${r.n}`);
    out.push("# HELP netd_api_request_duration_seconds API request latency by operation.", "# TYPE netd_api_request_duration_seconds histogram");
    for (const [op, s] of this.latency) {
      BUCKETS.forEach((b, i) => out.push(`netd_api_request_duration_seconds_bucket{op="${label(op)}",le="${b}"} ${s.buckets[i]}`));
      out.push(`netd_api_request_duration_seconds_bucket{op="${label(op)}",le="+Inf"} ${s.count}`);
      out.push(`netd_api_request_duration_seconds_sum{op="${label(op)}"} ${s.sum}`);
      out.push(`netd_api_request_duration_seconds_count{op="${label(op)}"} ${s.count}`);
    }
    out.push("# HELP netd_self_repairs_total Times a driver re-applied kernel state someone else changed (e.g. its nft table after nft flush ruleset).", "# TYPE netd_self_repairs_total counter");
    for (const [driver, n] of this.repairs) out.push(`netd_self_repairs_total{driver="${label(driver)}"} ${n}`);
    for (const g of gauges) {
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const v of g.values) {
        const l = v.labels ? `{${Object.entries(v.labels).map(([k, x]) => `${k}="${label(x)}"`).join(",")}}` : "";
        out.push(`${g.name}${l} ${v.value}`);
      }
    }
    return `${out.join("\n")}\n`;
  }
}
