// Benchmark of @netd/kernel (built dist) against `ip -batch -` and `nft -f -` spawns, in
// namespaces it creates (prefix "nb") and removes. Run: pnpm run bench (builds first).
// Prints median/p90 per operation, the ratios, and the longest event-loop block measured
// while only kernel calls were running. Figures only; nothing is asserted.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { performance, monitorEventLoopDelay } from "node:perf_hooks";
import { nft, nftAddr } from "@netd/driverapi";
import { createLinuxKernel } from "../dist/index.js";

const N = Number(process.env.BENCH_N ?? 100);
const NS = Number(process.env.BENCH_SPAWN_N ?? 40);
const prefix = `nb${randomBytes(3).toString("hex")}`;
const H = `${prefix}-h`;
const C = `${prefix}-c`;
const HP = `/run/netns/${H}`;
const CP = `/run/netns/${C}`;
const T = { family: "inet", name: "netd" };

function run(file, args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, (err, stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout)));
    if (input !== undefined) child.stdin.end(input);
  });
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), n: s.length };
}

const fmt = (x) => x.toFixed(3).padStart(8);

async function timed(n, fn, after) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
    if (after) await after(i);
  }
  return out;
}

/**
 * Event-loop monitor: the longest gap between 1 ms interval ticks beyond the interval, the
 * eventLoopDelay histogram, and the most CPU the JS thread used between two ticks. On a
 * loaded machine the gaps include time the process was not scheduled at all; the CPU
 * between ticks does not, so it bounds the longest stretch the JS thread was really busy.
 */
function blockMonitor() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let lastCpu = jsCpuMs();
  let maxGap = 0;
  let maxCpu = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = jsCpuMs();
    maxGap = Math.max(maxGap, now - last - 1);
    maxCpu = Math.max(maxCpu, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
  }, 1);
  h.enable();
  return () => {
    clearInterval(timer);
    h.disable();
    return { intervalMaxMs: maxGap, histMaxMs: h.max / 1e6, histP99Ms: h.percentile(99) / 1e6, maxCpuMs: maxCpu };
  };
}

/** CPU time of the JS thread so far, in ms (from /proc/thread-self/schedstat: on-CPU ns). */
function jsCpuMs() {
  return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
}

const k = createLinuxKernel();
const results = {};
try {
  await k.netns.create(H);
  await k.netns.create(C);
  await k.links.addBridge(HP, { name: "br0", up: true });
  await k.addresses.add(HP, "br0", "10.88.0.1/24");
  await k.addresses.add(HP, "br0", "fd88::1/64", { nodad: true });
  await k.nft.replaceTable(HP, T, nft`map ports {
  type inet_service : ipv4_addr . inet_service
}`);

  const attach = async () => {
    await k.links.addVeth(HP, { name: "vh0", master: "br0", up: true, peer: { name: "eth0", netns: CP } });
    await k.addresses.add(CP, "eth0", "10.88.0.2/24");
    await k.addresses.add(CP, "eth0", "fd88::2/64", { nodad: true });
    await k.links.set(CP, "eth0", { up: true });
    await k.routes.add(CP, { to: "default", family: 4, via: "10.88.0.1" });
  };
  const detach = () => k.links.delete(HP, "vh0");
  // Warm up sockets and code paths.
  for (let i = 0; i < 5; i++) {
    await attach();
    await detach();
  }
  // JS-thread CPU per operation, without any monitor running: every synchronous slice an
  // operation runs on the event loop is part of this, so no single block can exceed it.
  const CPU_N = 30;
  let c0 = jsCpuMs();
  for (let i = 0; i < CPU_N; i++) {
    await attach();
    await detach();
  }
  results.cpuAttach = (jsCpuMs() - c0) / CPU_N;
  c0 = jsCpuMs();
  for (let i = 0; i < CPU_N; i++) await k.nft.updateElements(HP, [{ op: "add", table: T, set: "ports", elements: [nft`${30000 + i} : ${nftAddr("10.88.0.2")} . ${80}`] }]);
  results.cpuElement = (jsCpuMs() - c0) / CPU_N;

  // Baseline: the same monitor while the process idles, to tell machine load (the
  // process not being scheduled) from blocking done by the calls themselves.
  const idle = blockMonitor();
  await new Promise((r) => setTimeout(r, 1500));
  results.idle = idle();
  const stop = blockMonitor();
  const detachTimes = [];
  results.attach = stats(await timed(N, attach, async () => {
    const t0 = performance.now();
    await detach();
    detachTimes.push(performance.now() - t0);
  }));
  results.detach = stats(detachTimes);
  results.element = stats(await timed(N, (i) => k.nft.updateElements(HP, [{ op: "add", table: T, set: "ports", elements: [nft`${10000 + i} : ${nftAddr("10.88.0.2")} . ${80}`] }])));
  results.block = stop();

  const ipAttach = async () => {
    await run("ip", ["-n", H, "-batch", "-"], `link add vh0 master br0 up type veth peer name eth0 netns ${C}\n`);
    await run("ip", ["-n", C, "-batch", "-"], "addr add 10.88.0.2/24 dev eth0\naddr add fd88::2/64 dev eth0 nodad\nlink set eth0 up\nroute add default via 10.88.0.1\n");
  };
  const ipDetachTimes = [];
  results.ipAttach = stats(await timed(NS, ipAttach, async () => {
    const t0 = performance.now();
    await run("ip", ["-n", H, "link", "del", "vh0"]);
    ipDetachTimes.push(performance.now() - t0);
  }));
  results.ipDetach = stats(ipDetachTimes);
  results.nftSpawn = stats(await timed(NS, (i) => run("ip", ["netns", "exec", H, "nft", "-f", "-"], `add element inet netd ports { ${20000 + i} : 10.88.0.2 . 80 }\n`)));
} finally {
  await k.netns.delete(H).catch((e) => console.error(String(e)));
  await k.netns.delete(C).catch((e) => console.error(String(e)));
  await k.close();
}

console.log(`@netd/kernel benchmark (${prefix}; kernel n=${N}, spawn n=${NS}; ms)`);
console.log("operation                                   median      p90");
const row = (label, s) => console.log(`${label.padEnd(40)}${fmt(s.median)} ${fmt(s.p90)}`);
row("attach (kernel)", results.attach);
row("attach (ip -batch x2)", results.ipAttach);
row("detach (kernel, RTM_DELLINK)", results.detach);
row("detach (ip link del)", results.ipDetach);
row("nft add element (kernel)", results.element);
row("nft add element (ip netns exec nft -f -)", results.nftSpawn);
console.log(`ratio attach ip-batch/kernel (median):     ${(results.ipAttach.median / results.attach.median).toFixed(1)}x`);
console.log(`ratio element nft-spawn/kernel (median):   ${(results.nftSpawn.median / results.element.median).toFixed(1)}x`);
const b = results.block;
const i = results.idle;
console.log(`event loop while idle (baseline):  max interval lag ${i.intervalMaxMs.toFixed(3)} ms; eventLoopDelay max ${i.histMaxMs.toFixed(3)} ms, p99 ${i.histP99Ms.toFixed(3)} ms; max JS CPU between ticks ${i.maxCpuMs.toFixed(3)} ms`);
console.log(`JS thread CPU per attach+detach: ${results.cpuAttach.toFixed(3)} ms; per element add: ${results.cpuElement.toFixed(3)} ms (upper bound of any block these calls cause)`);
console.log(`event loop during kernel calls: max interval lag ${b.intervalMaxMs.toFixed(3)} ms; eventLoopDelay max ${b.histMaxMs.toFixed(3)} ms, p99 ${b.histP99Ms.toFixed(3)} ms; max JS CPU between ticks ${b.maxCpuMs.toFixed(3)} ms`);
