// Benchmark of netd-proxy (the userland proxy process) against Docker's docker-proxy
// (Debian's docker.io; its binary is unpacked into a cache directory if missing) and a
// direct connection, in two namespaces it creates (prefix "pb") and removes: "h" (proxies
// and clients, 127.0.0.1 → container) and "c" (the servers). Run: pnpm bench:proxy.
// Prints medians of BENCH_ROUNDS rounds and the ratios; nothing is asserted.
//   TCP throughput: iperf3, BENCH_SECONDS per run.   new conn/s: wrk with Connection: close.
//   UDP: request/response datagrams per second (BENCH_UDP_WINDOW in flight).
//   Memory: netd-proxy RSS idle and with 1,000 published ports; docker-proxy RSS per port.
//   CPU: each proxy's user + system time per unit of work, which a loaded machine's
//   scheduling distorts far less than the rates.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PORTS = Number(process.env.BENCH_PORTS ?? 1000);
const prefix = `pb${randomBytes(3).toString("hex")}`;
const H = `${prefix}-h`;
const C = `${prefix}-c`;
const CIP = "10.78.0.2";
const here = new URL(".", import.meta.url).pathname;
const started = [];
let helperChild = null;

const run = (file, args) =>
  new Promise((resolve, reject) => execFile(file, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout))));
const inNs = (ns, argv) => ["nsenter", [`--net=/run/netns/${ns}`, "--", ...argv]];
const runIn = (ns, argv) => run(...inNs(ns, argv));
function startIn(ns, argv, wait) {
  const [file, args] = inNs(ns, argv);
  // fd 3: docker-proxy reports readiness on it and closes it (without it, it closes its listener).
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.output = () => out;
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    if (!wait) return setTimeout(() => resolve(child), 300);
    const t = setTimeout(() => reject(new Error(`${argv[0]} did not start: ${out}`)), 10_000);
    child.stdout.on("data", () => out.includes(wait) && (clearTimeout(t), resolve(child)));
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// CPU time (user + system, in clock ticks of 10 ms) a process used so far.
const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
};
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);

function dockerProxyPath() {
  for (const p of ["/usr/sbin/docker-proxy", "/usr/bin/docker-proxy", "/usr/libexec/docker/docker-proxy"]) if (existsSync(p)) return p;
  const cache = "/var/cache/netd-bench";
  const cached = join(cache, "docker-proxy");
  if (existsSync(cached)) return cached;
  // Debian's docker.io carries docker-proxy; only that binary is unpacked, nothing installed.
  const tmp = mkdtempSync(join(tmpdir(), "netd-bench-"));
  return (async () => {
    await run("sh", ["-c", `cd '${tmp}' && (apt-get download -qq docker.io || (apt-get update -qq && apt-get download -qq docker.io))`]).catch(() => undefined);
    const deb = (await run("sh", ["-c", `ls '${tmp}'/docker.io_*.deb 2>/dev/null || true`])).trim();
    if (!deb) return null;
    await run("dpkg-deb", ["-x", deb, join(tmp, "x")]);
    mkdirSync(cache, { recursive: true });
    await run("install", ["-m", "0755", join(tmp, "x/usr/sbin/docker-proxy"), cached]);
    rmSync(tmp, { recursive: true, force: true });
    return cached;
  })();
}

const HTTP_SERVER = `require("node:http").createServer((q, s) => s.end("ok")).listen(8000, "${CIP}", () => console.log("READY"));`;
const UDP_SERVER = `const s = require("node:dgram").createSocket("udp4"); s.on("message", (m, r) => s.send(m, r.port, r.address)); s.bind(9000, "${CIP}", () => console.log("READY"));`;
// Keeps WINDOW datagrams in flight for SECONDS, prints answered datagrams per second.
const UDP_CLIENT = `const [port, secs, win] = JSON.parse(process.argv[1]); const s = require("node:dgram").createSocket("udp4");
let n = 0; const b = Buffer.alloc(64); s.on("message", () => { n++; s.send(b); }); s.connect(port, "127.0.0.1", () => { for (let i = 0; i < win; i++) s.send(b); });
setTimeout(() => { console.log(n / secs); process.exit(0); }, secs * 1000);`;

async function iperf(port) {
  const j = JSON.parse(await runIn(H, ["iperf3", "-c", "127.0.0.1", "-p", String(port), "-t", String(SECONDS), "-J"]));
  if (!j.end?.sum_received) throw new Error(`iperf3 via port ${port}: ${j.error ?? "no result"}`);
  return j.end.sum_received.bits_per_second / 1e9;
}
async function connRate(port) {
  const out = await runIn(H, ["wrk", "-t", "2", "-c", "32", "-d", `${SECONDS}s`, "-H", "Connection: close", `http://127.0.0.1:${port}/`]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
}
async function udpRate(port) {
  return Number((await runIn(H, ["node", "-e", UDP_CLIENT, JSON.stringify([port, SECONDS, Number(process.env.BENCH_UDP_WINDOW ?? 8)])])).trim());
}

async function main() {
  await run("ip", ["netns", "add", H]);
  await run("ip", ["netns", "add", C]);
  await runIn(H, ["ip", "link", "set", "lo", "up"]);
  await runIn(C, ["ip", "link", "set", "lo", "up"]);
  await runIn(H, ["ip", "link", "add", "pbh", "type", "veth", "peer", "name", "pbc", "netns", C]);
  await runIn(H, ["ip", "addr", "add", "10.78.0.1/24", "dev", "pbh"]);
  await runIn(C, ["ip", "addr", "add", `${CIP}/24`, "dev", "pbc"]);
  await runIn(H, ["ip", "link", "set", "pbh", "up"]);
  await runIn(C, ["ip", "link", "set", "pbc", "up"]);
  await startIn(C, ["iperf3", "-s", "-B", CIP, "-p", "5201"], null);
  await startIn(C, ["node", "-e", HTTP_SERVER], "READY");
  await startIn(C, ["node", "-e", UDP_SERVER], "READY");

  // netd-proxy, driven as the daemon drives it, by a helper running inside "h".
  const socketPath = join(tmpdir(), `${prefix}-proxy.sock`);
  const helper = await startIn(H, ["node", join(here, "proxy-bench-helper.mjs"), socketPath, CIP, String(PORTS)], "READY");
  helperChild = helper;
  const dp = await dockerProxyPath();
  const netdPid = Number(/READY (\d+)/.exec(helper.output())?.[1]);
  const rows = { direct: { tcp: [5201, 8000, 9000] }, "netd-proxy": { tcp: [15201, 18000, 19000], pids: [netdPid, netdPid, netdPid] } };
  if (dp) {
    const pids = [];
    for (const [proto, hp, cp] of [["tcp", 25201, 5201], ["tcp", 28000, 8000], ["udp", 29000, 9000]]) {
      // nsenter execs docker-proxy: the child's pid is the proxy's.
      const child = await startIn(H, [dp, "-proto", proto, "-host-ip", "127.0.0.1", "-host-port", String(hp), "-container-ip", CIP, "-container-port", String(cp)], null);
      rows.dockerPid ??= child.pid;
      pids.push(child.pid);
    }
    rows["docker-proxy"] = { tcp: [25201, 28000, 29000], pids };
  }
  // direct goes to the container address, the proxies to 127.0.0.1.
  const target = (name, i) => (name === "direct" ? null : rows[name].tcp[i]);
  const results = {};
  for (const name of ["direct", "docker-proxy", "netd-proxy"]) if (rows[name]) results[name] = { gbit: [], conn: [], udp: [], cpuGbit: [], cpuConn: [], cpuUdp: [] };
  // The proxy's CPU time over one measurement, per unit of work done (a load-independent figure).
  const measure = async (name, i, work, perUnit) => {
    const pid = rows[name].pids?.[i];
    const before = pid ? cpuTicks(pid) : 0;
    const value = await work();
    if (pid) perUnit.push(((cpuTicks(pid) - before) * 10_000) / (value * SECONDS)); // µs of CPU per unit
    return value;
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of Object.keys(results)) {
      const direct = name === "direct";
      const res = results[name];
      res.gbit.push(await measure(name, 0, async () => (direct ? JSON.parse(await runIn(H, ["iperf3", "-c", CIP, "-p", "5201", "-t", String(SECONDS), "-J"])).end.sum_received.bits_per_second / 1e9 : await iperf(target(name, 0))), res.cpuGbit));
      res.conn.push(await measure(name, 1, async () => (direct ? Number(/Requests\/sec:\s+([\d.]+)/.exec(await runIn(H, ["wrk", "-t", "2", "-c", "32", "-d", `${SECONDS}s`, "-H", "Connection: close", `http://${CIP}:8000/`]))?.[1]) : await connRate(target(name, 1))), res.cpuConn));
      res.udp.push(await measure(name, 2, async () => (direct ? Number((await runIn(H, ["node", "-e", UDP_CLIENT.replace('"127.0.0.1"', `"${CIP}"`), JSON.stringify([9000, SECONDS, Number(process.env.BENCH_UDP_WINDOW ?? 8)])])).trim()) : await udpRate(target(name, 2))), res.cpuUdp));
    }
  }
  const mem = JSON.parse((await runIn(H, ["node", join(here, "proxy-bench-helper.mjs"), "--mem-report", socketPath])).trim());
  const dockerRss = dp ? rssKiB(rows.dockerPid) : NaN;
  const base = results["docker-proxy"];
  const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "n/a");
  const ratio = (name, k) => (base && name !== "docker-proxy" ? ` (${fmt(median(results[name][k]) / median(base[k]), 2)}x)` : "");
  console.log(`\nnetd-proxy benchmark: ${ROUNDS} rounds x ${SECONDS} s, medians; ratios vs docker-proxy${dp ? "" : " (docker-proxy unavailable)"}\n`);
  console.log("| | TCP throughput (Gbit/s) | new conn/s | UDP req/resp per s |");
  console.log("|---|---|---|---|");
  for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${fmt(median(r.gbit))}${ratio(name, "gbit")} | ${fmt(median(r.conn), 0)}${ratio(name, "conn")} | ${fmt(median(r.udp), 0)}${ratio(name, "udp")} |`);
  console.log("\nproxy CPU time per unit of work (user + system, medians; lower is better):\n");
  console.log("| | per Gbit moved (ms) | per connection (µs) | per UDP request/response (µs) |");
  console.log("|---|---|---|---|");
  for (const [name, r] of Object.entries(results)) if (r.cpuUdp.length > 0) console.log(`| ${name} | ${fmt(median(r.cpuGbit) / 1000, 2)} | ${fmt(median(r.cpuConn), 1)} | ${fmt(median(r.cpuUdp), 1)} |`);
  console.log(`\nmemory: netd-proxy ${fmt(mem.idleKiB / 1024, 2)} MB RSS with 3 ports, ${fmt(mem.loadedKiB / 1024, 2)} MB with ${mem.ports} more idle ports = ${fmt((mem.loadedKiB - mem.idleKiB) / mem.ports, 2)} KiB per idle port; docker-proxy ${fmt(dockerRss / 1024, 2)} MB RSS per port (one process each).`);
}

try {
  await main();
} finally {
  // The helper stops netd-proxy (detached by design, it would outlive a killed helper).
  if (helperChild) {
    helperChild.kill("SIGTERM");
    await new Promise((r) => (helperChild.exitCode !== null ? r() : helperChild.once("exit", r)));
  }
  for (const c of started) c.kill("SIGKILL");
  await sleep(200);
  await run("ip", ["netns", "del", H]).catch(() => undefined);
  await run("ip", ["netns", "del", C]).catch(() => undefined);
}
