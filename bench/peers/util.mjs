// Process, namespace and statistics helpers of the peers benchmark. Processes are spawned
// with argument arrays only; namespaces are created through netd's own addon (the same call
// for every system, outside the timed region) and removed by name, never by listing.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
/** netd's native addon: fast namespace creation and deletion (no `ip` spawn per sandbox). */
export const native = require("../../packages/netlink-native/build/Release/netlink_native.node");

/** Runs `file argv` to completion; resolves with code, output and the wall time in ms. */
export function run(file, argv, { input, env, netns, timeoutMs = 120_000 } = {}) {
  const [cmd, args] = netns ? ["nsenter", [`--net=${netns}`, "--", file, ...argv]] : [file, argv];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: env ? { ...process.env, ...env } : process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
    child.stdin.on("error", () => undefined); // a command that never reads stdin closes it early
    child.stdin.end(input ?? "");
  });
}

/** Like {@link run} but throws with the command's stderr when it exits non-zero. */
export async function runOk(file, argv, options) {
  const r = await run(file, argv, options);
  if (r.code !== 0) throw new Error(`${file} ${argv.join(" ")} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  return r;
}

/** Namespaces this run created, deleted at the end (and on failure). */
const created = new Set();

/** Creates /run/netns/NAME (lo up) and returns its path. */
export async function makeNetns(name) {
  const path = await native.createNetns(name);
  created.add(path);
  return path;
}

/** Deletes a namespace this run created. */
export async function dropNetns(path) {
  created.delete(path);
  if (existsSync(path)) await native.deleteNetns(path);
}

/** Deletes every namespace this run created and has not deleted yet. */
export async function dropAllNetns() {
  for (const p of [...created]) await dropNetns(p).catch((e) => console.error(`cleanup: ${p}: ${e.message}`));
}

/** Resident set size of `pid` in MiB (VmRSS). */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time (user+system) of `pid` in ms, from /proc/PID/stat. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** median, p90, min, max of `xs` (ms). */
export function summarize(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, median: mid, p90: q(0.9), min: s[0], max: s[s.length - 1] };
}

/** IPv4 and IPv6 address of sandbox slot `i` (0-based) in the bench subnets 10.77.0.0/16, fd77::/64. */
export function slotAddrs(i) {
  const n = i + 2; // .0.1 is the gateway
  return { ip4: `10.77.${n >> 8}.${n & 255}`, ip6: `fd77::${(n).toString(16)}` };
}

export const SUBNET4 = "10.77.0.0/16";
export const GATEWAY4 = "10.77.0.1";
export const SUBNET6 = "fd77::/64";
export const GATEWAY6 = "fd77::1";
/** The host address first-packet probes connect to (a veth inside each system's host namespace). */
export const HOST_ADDR = "198.51.100.1";

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
