// Runs inside the benchmark's "h" namespace as the daemon would: starts netd-proxy through
// createUserlandProxy (built dist) and hands it the three benchmark bindings. With
// --mem-report it attaches to that proxy, reads its RSS, adds PORTS idle bindings, reads it
// again and removes them. Part of proxy.bench.mjs.
import { readFileSync } from "node:fs";
import { createUserlandProxy } from "../dist/index.js";

const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);

if (process.argv[2] === "--mem-report") {
  const socketPath = process.argv[3];
  const ports = Number(process.env.BENCH_PORTS ?? 1000);
  const proxy = createUserlandProxy({ socketPath });
  await proxy.open();
  const view = proxy.forDriver();
  const idleKiB = rss(proxy.pid());
  const listeners = [];
  for (let i = 0; i < ports; i++) listeners.push(await view.start({ protocol: i % 2 ? "udp" : "tcp", hostIp: "127.0.0.1", hostPort: 30000 + i, containerIp: "10.78.0.2", containerPort: 80 }));
  const loadedKiB = rss(proxy.pid());
  for (const l of listeners) await l.close();
  await proxy.detach();
  console.log(JSON.stringify({ idleKiB, loadedKiB, ports }));
  process.exit(0);
}

const [socketPath, cip] = process.argv.slice(2);
const proxy = createUserlandProxy({ socketPath });
await proxy.open();
const view = proxy.forDriver();
await view.start({ protocol: "tcp", hostIp: "127.0.0.1", hostPort: 15201, containerIp: cip, containerPort: 5201 });
await view.start({ protocol: "tcp", hostIp: "127.0.0.1", hostPort: 18000, containerIp: cip, containerPort: 8000 });
await view.start({ protocol: "udp", hostIp: "127.0.0.1", hostPort: 19000, containerIp: cip, containerPort: 9000 });
console.log(`READY ${proxy.pid()}`);
const stop = async () => {
  await proxy.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setInterval(() => undefined, 1 << 30);
