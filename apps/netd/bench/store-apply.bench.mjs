// Median latency of LogStore.apply (one fsynced line per batch) with a network-sized record,
// on the data dir's file system. Run after `pnpm run build`: `pnpm run bench`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLogStore } from "../dist/store/index.js";

const dir = mkdtempSync(join(process.env.NETD_BENCH_DIR ?? tmpdir(), "netd-store-bench-"));
const N = Number(process.env.N ?? 500);
const value = { id: "a".repeat(64), name: "web", driver: "bridge", internal: false, ipv4: { subnet: "10.1.0.0/24", gateway: "10.1.0.1", ipRange: null }, ipv6: null, options: {}, labels: { tier: "front" }, created: new Date().toISOString() };
const store = await openLogStore({ dir, compactAfter: 1000 });
const times = [];
for (let i = 0; i < N; i++) {
  const t = process.hrtime.bigint();
  await store.apply([{ op: "put", kind: "network", id: `n${i % 50}`, value: { ...value, seq: i } }]);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const t0 = process.hrtime.bigint();
await store.compact();
const compactMs = Number(process.hrtime.bigint() - t0) / 1e6;
await store.close();
times.sort((a, b) => a - b);
const pick = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3);
console.log(`store apply (fsync per batch), n=${N}: median ${pick(0.5)} ms, p90 ${pick(0.9)} ms, p99 ${pick(0.99)} ms; compaction of 50 records ${compactMs.toFixed(3)} ms (dir ${dir})`);
rmSync(dir, { recursive: true, force: true });
