// Profile of netd's attach/detach path: the daemon runs under `node --cpu-prof` with a
// preload that counts netlink round trips, nft transactions and store writes/fsyncs; the
// script fills it to `--attached` sandboxes, runs `--cycles` attach+detach cycles with one
// published port (`--ports N`: N ports), and prints per-cycle counts, CPU and the hottest functions and packages.
// Usage (root): node bench/peers/profile.mjs [--attached 100] [--cycles 200] [--ports 1]
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createNetd } from "./systems/netd.mjs";
import { dropAllNetns, dropNetns, makeNetns, slotAddrs, sleep, summarize } from "./util.mjs";

const { values: opt } = parseArgs({ options: { attached: { type: "string", default: "100" }, cycles: { type: "string", default: "200" }, ports: { type: "string", default: "1" }, main: { type: "string" } } });
if (process.getuid() !== 0) throw new Error("run as root");
const dir = mkdtempSync(join(tmpdir(), "netd-prof-"));
const countFile = join(dir, "counts.json");
const prefix = `np${process.pid}`;
const preload = fileURLToPath(new URL("./profile/count-preload.mjs", import.meta.url));
const host = await makeNetns(`${prefix}-h`);
let netd;
/** The measured cycles' time window on CLOCK_MONOTONIC (µs), the clock of V8's profile timestamps. */
const windowUs = [0, 0];
try {
  netd = await createNetd({ host, prefix, ...(opt.main ? { main: opt.main } : {}), nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", preload], env: { NETD_COUNT_FILE: countFile } });
  const counts = async () => {
    process.kill(netd.pid, "SIGUSR2");
    await sleep(200);
    return JSON.parse(readFileSync(countFile, "utf8"));
  };
  const filled = [];
  for (let i = 0; i < Number(opt.attached); i++) {
    const slot = { i, netns: await makeNetns(`${prefix}-f${i}`), ...slotAddrs(i), ports: [{ host: 20000 + i, container: 80 }] };
    filled.push({ slot, id: await netd.attach(slot) });
  }
  const c0 = await counts();
  const cpu0 = netd.cpu();
  windowUs[0] = Number(process.hrtime.bigint() / 1000n);
  const att = [];
  const det = [];
  const cycles = Number(opt.cycles);
  for (let k = 0; k < cycles; k++) {
    const netns = await makeNetns(`${prefix}-m`);
    const slot = { i: 5000, netns, ...slotAddrs(5000), ports: Array.from({ length: Number(opt.ports) }, (_, j) => ({ host: 40000 + j, container: 80 + j })) };
    let t = performance.now();
    const id = await netd.attach(slot);
    att.push(performance.now() - t);
    t = performance.now();
    await netd.detach(id);
    det.push(performance.now() - t);
    await dropNetns(netns);
  }
  windowUs[1] = Number(process.hrtime.bigint() / 1000n);
  const cpu = (netd.cpu() - cpu0) / cycles;
  const c1 = await counts();
  console.log(`attached ${opt.attached}, ${cycles} cycles, ${opt.ports} port(s): attach ${JSON.stringify(summarize(att))}\n  detach ${JSON.stringify(summarize(det))}\n  daemon CPU per cycle ${cpu.toFixed(2)} ms`);
  const perCycle = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, ((a[k] - (b?.[k] ?? 0)) / cycles).toFixed(2)]));
  const { ms: ms1, ...n1 } = c1;
  console.log("calls per cycle (attach+detach):", perCycle(n1, c0));
  if (ms1) console.log("ms per cycle from call to settlement:", perCycle(ms1, c0.ms));
  for (const f of filled) {
    await netd.detach(f.id);
    await dropNetns(f.slot.netns);
  }
} finally {
  await netd?.close();
  await dropAllNetns();
}
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no CPU profile in ${dir}`);
const prof = JSON.parse(readFileSync(join(dir, file), "utf8"));
const self = new Map();
const dt = new Map();
// Only samples inside the measured cycles count: the daemon's start and the fill are not the hot path.
let at = prof.startTime;
prof.samples.forEach((id, i) => {
  at += prof.timeDeltas[i] ?? 0;
  if (at >= windowUs[0] && at <= windowUs[1]) dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const pkg = new Map();
let total = 0;
for (const n of prof.nodes) {
  const us = dt.get(n.id) ?? 0;
  if (n.callFrame.functionName === "(idle)") continue;
  total += us;
  const url = n.callFrame.url.replace(/^file:\/\//, "");
  const key = `${n.callFrame.functionName || "(anon)"} ${url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + us);
  const m = /\/(packages|apps)\/([^/]+)\//.exec(url) ?? /node_modules\/(?:\.pnpm\/)?(@?[^/@]+)/.exec(url);
  const p = m ? (m[2] ?? m[1]) : url.startsWith("node:") ? "node core" : n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : "other";
  pkg.set(p, (pkg.get(p) ?? 0) + us);
}
// Inclusive time (a function and everything it called), counted once per sample even when the function recurses.
const parentOf = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const nodeById = new Map(prof.nodes.map((n) => [n.id, n]));
const frameKey = (n) => `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/^file:\/\//, "").split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
const inclusive = new Map();
for (const [id, us] of dt) {
  if (nodeById.get(id).callFrame.functionName === "(idle)") continue;
  const seen = new Set();
  for (let p = parentOf.get(id) === undefined ? undefined : id; p !== undefined; p = parentOf.get(p)) {
    const k = frameKey(nodeById.get(p));
    if (seen.has(k) || k.startsWith("(root)")) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}
const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, us]) => `  ${(us / 1000).toFixed(0).padStart(7)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${n}`).join("\n");
console.log(`\nprofile ${join(dir, file)}: ${(total / 1000).toFixed(0)} ms busy during the ${opt.cycles} cycles (${(total / 1000 / Number(opt.cycles)).toFixed(2)} ms per cycle on the JS thread)\nby package:\n${top(pkg, 15)}\nhottest functions (self time):\n${top(self, 30)}\nwidest subtrees (inclusive time):\n${top(inclusive, 40)}`);
