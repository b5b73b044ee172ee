// Test support for the crash test: a netd process started ahead of time. It loads every
// module of the built CLI, prints "warm", and waits for SIGUSR2; then it runs
// `netd ARGS…` exactly as `node dist/main.js ARGS…` would. A restart after a kill then costs
// the daemon's restore, not node's module loading (seconds on a loaded 2-core machine).
// Usage: node warm-netd.mjs /path/to/dist/main.js ARGS…
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";

const [main, ...args] = process.argv.slice(2);
if (!main) throw new Error("usage: warm-netd.mjs MAIN ARGS…");
const dist = dirname(main);
for (const f of readdirSync(dist).sort()) if (f.endsWith(".js") && f !== "main.js") await import(join(dist, f));
// A pending signal listener does not keep node alive; the interval does, until the go.
const keepAlive = setInterval(() => undefined, 1 << 30);
const go = new Promise((resolve) => process.once("SIGUSR2", resolve));
process.stdout.write("warm\n");
await go;
clearInterval(keepAlive);
process.argv = [process.argv[0], main, ...args];
await import(main);
