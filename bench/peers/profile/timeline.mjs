// Timeline of single attaches, for the profile notes: starts the daemon with
// timeline-preload.mjs, fills it to `--attached` sandboxes (one published port each), runs
// `--cycles` attach+detach cycles and prints the client-side attach times, then the daemon's
// timeline (every addon call and file operation, ms from the request's arrival) of the
// 20th–22nd attach after the fill. Writes done with writeSync are not in it (not hooked).
// Usage (root): node bench/peers/profile/timeline.mjs [--attached 10] [--cycles 40]
import { readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createNetd } from "../systems/netd.mjs";
import { dropAllNetns, dropNetns, makeNetns, slotAddrs, summarize } from "../util.mjs";

const { values: opt } = parseArgs({ options: { attached: { type: "string", default: "10" }, cycles: { type: "string", default: "40" } } });
if (process.getuid() !== 0) throw new Error("run as root");
const attached = Number(opt.attached);
const dir = mkdtempSync(join(tmpdir(), "netd-timeline-"));
const file = join(dir, "timeline.txt");
const prefix = `nt${process.pid}`;
const host = await makeNetns(`${prefix}-h`);
let netd;
try {
  const preload = fileURLToPath(new URL("./timeline-preload.mjs", import.meta.url));
  netd = await createNetd({ host, prefix, nodeArgs: ["--import", preload], env: { NETD_TIMELINE_FILE: file, NETD_TIMELINE_FROM: String(attached + 20) } });
  for (let i = 0; i < attached; i++) await netd.attach({ i, netns: await makeNetns(`${prefix}-f${i}`), ...slotAddrs(i), ports: [{ host: 20000 + i, container: 80 }] });
  const times = [];
  for (let k = 0; k < Number(opt.cycles); k++) {
    const netns = await makeNetns(`${prefix}-m`);
    const t0 = performance.now();
    const id = await netd.attach({ i: 5000, netns, ...slotAddrs(5000), ports: [{ host: 40000, container: 80 }] });
    times.push(performance.now() - t0);
    await netd.detach(id);
    await dropNetns(netns);
  }
  console.log(`attach with ${attached} attached (client side, ms): ${JSON.stringify(summarize(times))}`);
} finally {
  await netd?.close();
  await dropAllNetns();
}
console.log(readFileSync(file, "utf8"));
rmSync(dir, { recursive: true, force: true });
