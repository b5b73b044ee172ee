// Where netd's memory goes: fills a daemon to N sandboxes (one published port each) and
// prints its RSS with the largest mappings from /proc/PID/smaps ([anon] is V8's heap and
// glibc's thread arenas, [heap] the main arena), idle and at N.
// Usage (root): node bench/peers/rss.mjs [N=1000] ["node flags"] ["ENV=value ..."]
import { readFileSync } from "node:fs";
import { createNetd } from "./systems/netd.mjs";
import { dropAllNetns, makeNetns, slotAddrs, sleep, rssMiB } from "./util.mjs";
const N = Number(process.argv[2] ?? 1000);
const nodeArgs = (process.argv[3] ?? "").split(" ").filter(Boolean);
const env = Object.fromEntries((process.argv[4] ?? "").split(" ").filter(Boolean).map((kv) => kv.split("=")));
const prefix = `nh${process.pid}`;
const host = await makeNetns(`${prefix}-h`);
let netd;
try { netd = await createNetd({ host, prefix, nodeArgs, env }); } catch (e) { await dropAllNetns(); throw e; }
function smaps(pid) {
  const text = readFileSync(`/proc/${pid}/smaps`, "utf8");
  const out = new Map();
  let name = "";
  for (const line of text.split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) { name = head[1] || "[anon]"; continue; }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r) out.set(name, (out.get(name) ?? 0) + Number(r[1]));
  }
  return [...out].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, kb]) => `${(kb / 1024).toFixed(1)} ${n}`).join("; ");
}
try {
  console.log("idle rss", rssMiB(netd.pid).toFixed(1), "|", smaps(netd.pid));
  for (let i = 0; i < N; i++) {
    const slot = { i, netns: await makeNetns(`${prefix}-f${i}`), ...slotAddrs(i), ports: [{ host: 20000 + i, container: 80 }] };
    await netd.attach(slot);
  }
  await sleep(1000);
  console.log(`rss at ${N}`, rssMiB(netd.pid).toFixed(1), "|", smaps(netd.pid));
  const threads = readFileSync(`/proc/${netd.pid}/status`, "utf8").match(/Threads:\s+(\d+)/)[1];
  console.log("threads", threads);
} finally {
  await netd.close();
  await dropAllNetns();
}
