// `pnpm bench:peers`: netd against its peers on the same work in the same run, as root, in
// namespaces it creates and removes. Each system gets its own host namespace (a daemon's or
// a plugin's rules never see another system's); sandboxes are namespaces made the same way
// for every system, outside the timed region. Operations are interleaved system by system
// (rotating who goes first), so a load spike on the shared machine hits every system alike.
// Usage: node bench/peers/run.mjs [--max 1000] [--peer-max 1000] [--sequence 100] [--iterations 20] [--ports 0,1,10] [--systems netd,netavark,cni,docker] [--out docs/benchmarks]
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createNetd } from "./systems/netd.mjs";
import { createNetavark, NETAVARK } from "./systems/netavark.mjs";
import { createCni, CNI_PATH } from "./systems/cni.mjs";
import { dropAllNetns, dropNetns, makeNetns, runOk, slotAddrs, HOST_ADDR } from "./util.mjs";
import { measureLevel, fill, drain, sequence, firstPacket, peakRss } from "./cases.mjs";
import { writeReport } from "./report.mjs";

const { values: opt } = parseArgs({
  options: {
    max: { type: "string", default: "1000" },
    // Peers take seconds per operation at large sizes; a run that cannot wait for them can stop them earlier.
    "peer-max": { type: "string" },
    iterations: { type: "string", default: "20" },
    sequence: { type: "string", default: "100" },
    ports: { type: "string", default: "0,1,10" },
    systems: { type: "string", default: "netd,netavark,cni,docker" },
    out: { type: "string", default: resolve(import.meta.dirname, "../../docs/benchmarks") },
  },
});
if (process.getuid() !== 0) {
  console.error("bench:peers needs root: it creates network namespaces and runs netd, netavark and the CNI plugins inside them. Run it as root (e.g. sudo pnpm bench:peers).");
  process.exit(2);
}
const MAX = Number(opt.max);
const N = Number(opt.iterations);
const PEER_MAX = Number(opt["peer-max"] ?? opt.max);
const levels = [...new Set([1, Math.min(100, MAX), MAX])];
const prefix = `nb${process.pid}`;
const notMeasured = [];
const factories = {
  netd: createNetd,
  netavark: existsSync(NETAVARK) ? createNetavark : null,
  cni: existsSync(`${CNI_PATH}/bridge`) && existsSync("/usr/sbin/iptables") ? createCni : null,
  docker: null,
  // Another netd build (e.g. the main branch's), or the same one with other settings
  // (NETD_BASE_ENV: a JSON object of environment variables), as a peer: before/after ratios in one run.
  "netd-base": process.env.NETD_BASE_MAIN
    ? (o) => createNetd({ ...o, main: process.env.NETD_BASE_MAIN, name: "netd-base", env: JSON.parse(process.env.NETD_BASE_ENV ?? "{}") })
    : null,
};
const why = {
  netavark: `${NETAVARK} is missing (NETD_BOOTSTRAP_BENCH=1 bash scripts/bootstrap.sh)`,
  cni: `${CNI_PATH}/bridge or iptables is missing (NETD_BOOTSTRAP_BENCH=1 bash scripts/bootstrap.sh)`,
  "netd-base": "set NETD_BASE_MAIN to another build's apps/netd/dist/main.js",
  docker: "Docker was not measured: `docker network connect` needs running containers, so dockerd (with its own data root, exec root and socket) would also need containerd, runc and a container image; this machine reaches no image registry and Debian's docker.io package would start a dockerd that rewrites the host's firewall. netd's bridge driver follows libnetwork's design, and netavark and the CNI plugins stand in for the per-container setup cost.",
};

const systems = [];
const hosts = [];
const cleanups = [];
let cleaning = null;
// Daemons first, then every namespace this run made; once, whether the run ends or is interrupted.
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => console.error(`cleanup: ${e.message}`));
    await dropAllNetns();
  })());
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.on(signal, () => {
    console.error(`${signal}: removing what this run made`);
    void cleanup().finally(() => process.exit(code));
  });
}
try {
  for (const name of opt.systems.split(",")) {
    const make = factories[name];
    if (!make) {
      notMeasured.push({ system: name, why: why[name] ?? "unknown system" });
      continue;
    }
    const host = await makeNetns(`${prefix}-${name}-h`);
    hosts.push(host);
    // The address first-packet probes connect to: one end of a veth pair inside the host namespace.
    for (const argv of [
      ["link", "add", "d0", "type", "veth", "peer", "name", "d0p"],
      ["addr", "add", `${HOST_ADDR}/24`, "dev", "d0"],
      ["link", "set", "d0p", "up"],
      ["link", "set", "d0", "up"],
    ]) await runOk("ip", ["-n", host.split("/").pop(), ...argv]);
    const sys = await make({ host, prefix: `${prefix}-${name}` });
    cleanups.push(() => sys.close());
    systems.push({ ...sys, host, nsPrefix: `${prefix}-${name}`, filled: [] });
    console.error(`${sys.name}: ${sys.version}`);
  }
  const results = { date: new Date().toISOString(), command: process.argv.slice(2).join(" "), max: MAX, iterations: N, levels, systems: systems.map((s) => ({ name: s.name, version: s.version })), notMeasured, cases: [], rss: [], sequence: null, fill: [], drain: null, firstPacket: [] };
  const daemons = systems.filter((s) => s.rss);
  for (const d of daemons) results.rss.push({ attached: 0, system: d.name, mib: d.rss() });
  for (const level of levels) {
    const active = systems.filter((s) => s.name.startsWith("netd") || level <= PEER_MAX);
    for (const s of systems) if (!active.includes(s)) notMeasured.push({ system: s.name, why: `${s.name} at ${level} sandboxes attached was skipped in this run (--peer-max ${PEER_MAX}): at its measured cost per operation the fill alone would not fit the run's time` });
    results.fill.push({ to: level, ...(await fill(active, level)) });
    for (const d of daemons) if (active.includes(d)) results.rss.push({ attached: level, system: d.name, mib: d.rss() });
    for (const s of active) if (s.peakRss) results.rss.push({ attached: level, system: s.name, mib: await peakRss(s, level), peak: true });
    results.cases.push(...(await measureLevel(active, level, N, opt.ports.split(",").map(Number))));
    if (level === 1) results.sequence = await sequence(active, Number(opt.sequence));
    if (level === 1 || level === levels[levels.length - 1] || level === PEER_MAX) results.firstPacket.push(...(await firstPacket(active, level, N + 1)));
    console.error(`level ${level} done`);
  }
  results.drain = await drain(systems);
  results.peerMax = PEER_MAX;
  writeReport(results, opt.out);
  console.log(`wrote ${opt.out}/README.md`);
} finally {
  await cleanup();
  void dropNetns;
}
