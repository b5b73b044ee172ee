// Benchmark: attach + detach of a sandbox with one dual-stack published port while 1, 100
// and N_MAX sandboxes are already attached, and first-packet latency to the first and the
// last published port; then the RSS cost of the userland proxy per published port.
// Runs the built packages in its own namespaces (through @netd/testing's agent), as root.
// Usage: pnpm run build && node bench/attach.bench.mjs [N_MAX=1000]
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createTestEnv } from "@netd/testing";

const N_MAX = Number(process.argv[2] ?? 1000);
const agentPath = fileURLToPath(new URL("./attach-agent.mjs", import.meta.url));

async function run(userlandProxy, sizes) {
  const env = await createTestEnv("bench-attach");
  try {
    const host = await env.netns("host");
    // The host address the first-packet probe connects to. A veth pair inside the host
    // namespace: some kernels (this VM's) have no dummy driver.
    for (const argv of [
      ["ip", "link", "add", "d0", "type", "veth", "peer", "name", "d0p"],
      ["ip", "addr", "add", "198.51.100.1/24", "dev", "d0"],
      ["ip", "link", "set", "d0p", "up"],
      ["ip", "link", "set", "d0", "up"],
    ]) {
      const r = await host.exec(argv);
      if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.trim()}`);
    }
    const agent = await env.startAgent(host, agentPath, { timeoutMs: 600_000 });
    const { rss: rss0, fds: fds0 } = await agent.call("open", { netnsPrefix: `${env.prefix}-`, userlandProxy });
    const rows = [];
    for (const n of sizes) {
      const t0 = performance.now();
      const { rss, fds } = await agent.call("fill", n);
      console.error(`proxy ${userlandProxy ? "on" : "off"}: ${n} attached in ${((performance.now() - t0) / 1000).toFixed(1)} s; open fds ${fds0} → ${fds}`);
      const t = await agent.call("attachDetach", 9);
      const p = await agent.call("firstPacket", "198.51.100.1", 21);
      rows.push({ n, ...t, first: p.first, last: p.last, rssMiB: (rss - rss0) / 2 ** 20 });
    }
    await agent.call("close");
    return rows;
  } finally {
    // Sandbox namespaces netd made under this env's (unique) prefix outlive an agent that
    // failed or aborted before its close(): adopt them so cleanup deletes them too.
    for (const name of readdirSync("/run/netns")) if (name.startsWith(`${env.prefix}-`)) env.adoptNetns(name);
    await env.cleanup();
  }
}

const sizes = [1, 100, N_MAX];
const on = await run(true, sizes);
const off = await run(false, sizes);
const f = (x) => x.toFixed(2);
console.log(`attach/detach with one dual-stack published port (median of 9), first-packet TCP connect to host:port (median of 21)`);
for (const [name, rows] of [["proxy on", on], ["proxy off", off]]) {
  console.log(`\n${name}`);
  console.log("attached  attach ms  detach ms  connect first ms  connect last ms  last/first");
  for (const r of rows) console.log(`${String(r.n).padStart(8)}  ${f(r.attach).padStart(9)}  ${f(r.detach).padStart(9)}  ${f(r.first).padStart(16)}  ${f(r.last).padStart(15)}  ${f(r.last / r.first).padStart(10)}`);
  const a = rows[0];
  const z = rows[rows.length - 1];
  console.log(`attach ratio ${z.n} vs ${a.n}: ${f(z.attach / a.attach)}x; detach ratio: ${f(z.detach / a.detach)}x`);
}
const lastOn = on[on.length - 1];
const lastOff = off[off.length - 1];
const perPort = ((lastOn.rssMiB - lastOff.rssMiB) * 1024) / lastOn.n;
console.log(`\nRSS growth for ${lastOn.n} sandboxes: proxy on ${f(lastOn.rssMiB)} MiB, off ${f(lastOff.rssMiB)} MiB → proxy ≈ ${f(perPort)} KiB per published port (2 listeners: 0.0.0.0 and ::)`);
