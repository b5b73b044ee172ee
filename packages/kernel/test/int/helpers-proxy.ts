// Clients and servers for the userland proxy tests, run with `node -e` inside a test
// namespace (argument arrays, no shell): a line echo server and clients that observe what
// the proxy does to a connection (reset, long-lived flows).
import type { TestNetns } from "@netd/testing";

/** TCP server printing READY, answering every line with "re:<line>". */
export const LINE_SERVER = `
const net = require("node:net");
const [host, port] = JSON.parse(process.argv[1]);
net.createServer((s) => {
  let buf = "";
  s.on("data", (d) => { buf += d; let i; while ((i = buf.indexOf("\\n")) >= 0) { s.write("re:" + buf.slice(0, i) + "\\n"); buf = buf.slice(i + 1); } });
  s.on("error", () => {});
}).listen(port, host, () => console.log("READY"));
`;

/**
 * Client: connects, sends one line every \`intervalMs\` for \`count\` lines, expects each answer,
 * prints "OK <n>" or "FAIL <reason>". It prints "CONNECTED" first.
 */
export const LINE_CLIENT = `
const net = require("node:net");
const [host, port, count, intervalMs] = JSON.parse(process.argv[1]);
const s = net.connect({ host, port }, () => { console.log("CONNECTED"); tick(); });
let sent = 0, got = 0, buf = "";
function tick() { if (sent < count) { s.write("l" + sent++ + "\\n"); setTimeout(tick, intervalMs); } }
s.on("data", (d) => { buf += d; let i; while ((i = buf.indexOf("\\n")) >= 0) { if (buf.slice(0, i) !== "re:l" + got) { console.log("FAIL order " + buf.slice(0, i)); process.exit(1); } got++; buf = buf.slice(i + 1); } if (got === count) { console.log("OK " + got); process.exit(0); } });
s.on("error", (e) => { console.log("FAIL " + e.code); process.exit(1); });
s.on("close", () => { console.log("FAIL closed after " + got); process.exit(1); });
`;

/** Client: connects and reports how the connection ended: "RESET", "CLOSED" or "TIMEOUT". */
export const END_CLIENT = `
const net = require("node:net");
const [host, port] = JSON.parse(process.argv[1]);
const s = net.connect({ host, port });
const t = setTimeout(() => { console.log("TIMEOUT"); process.exit(0); }, 3000);
s.on("error", (e) => { console.log(e.code === "ECONNRESET" ? "RESET" : e.code); process.exit(0); });
s.on("close", () => { console.log("CLOSED"); process.exit(0); });
`;

/**
 * Client measuring an outage: connects every 10 ms with a line to echo for \`runMs\`; prints
 * "UP" at the first answer, then "DONE {maxGap, failed, answered, lastOk}". maxGap, the longest
 * time between two answers, bounds the outage even when the listener's backlog hid it from
 * every probe (no probe failed because the next process accepted within its 200 ms timeout).
 */
export const OUTAGE_CLIENT = `
const net = require("node:net");
const [host, port, runMs] = JSON.parse(process.argv[1]);
let lastOk = 0, maxGap = 0, failed = 0, answered = 0;
const t0 = Date.now();
function once() {
  const s = net.connect({ host, port });
  let done = false;
  const end = (ok) => { if (done) return; done = true; s.destroy(); next(ok); };
  s.setTimeout(200, () => end(false));
  s.on("connect", () => s.write("p\\n"));
  s.on("data", () => end(true));
  s.on("error", () => end(false));
  s.on("close", () => end(false));
}
function next(ok) {
  const now = Date.now();
  if (ok) {
    if (answered === 0) console.log("UP");
    else maxGap = Math.max(maxGap, now - lastOk);
    answered++; lastOk = now;
  } else if (answered > 0) failed++;
  if (now - t0 >= runMs) { console.log("DONE " + JSON.stringify({ maxGap, failed, answered, lastOk })); process.exit(0); }
  setTimeout(once, 10);
}
once();
`;

/** TCP server echoing every byte back, ending its side only after the client's FIN (half-close). */
export const BULK_SERVER = `
const net = require("node:net");
const [host, port] = JSON.parse(process.argv[1]);
net.createServer({ allowHalfOpen: true }, (s) => { s.pipe(s); s.on("error", () => {}); }).listen(port, host, () => console.log("READY"));
`;

/**
 * Client: streams \`mb\` MiB of patterned data, half-closes, reads the echo to the end and
 * prints "OK <bytes>" when every byte came back in order, else "FAIL <reason>".
 */
export const BULK_CLIENT = `
const net = require("node:net");
const [host, port, mb] = JSON.parse(process.argv[1]);
const chunk = Buffer.alloc(65536, 0);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + 3) & 255;
const total = mb * 16 * chunk.length;
const s = net.connect({ host, port, allowHalfOpen: true }, () => {
  let sent = 0;
  const more = () => { while (sent < total) { sent += chunk.length; if (!s.write(chunk)) return s.once("drain", more); } s.end(); };
  more();
});
let got = 0, bad = false;
s.on("data", (d) => { for (let i = 0; i < d.length && !bad; i++) if (d[i] !== chunk[(got + i) % chunk.length]) bad = true; got += d.length; });
s.on("end", () => { console.log(bad ? "FAIL corrupt" : got === total ? "OK " + got : "FAIL short " + got); process.exit(0); });
s.on("error", (e) => { console.log("FAIL " + e.code); process.exit(1); });
`;

/** Runs a one-shot client script in `ns` and returns its trimmed stdout. */
export async function runClient(ns: TestNetns, script: string, args: unknown[]): Promise<string> {
  const r = await ns.exec(["node", "-e", script, JSON.stringify(args)], { timeoutMs: 15_000 });
  return r.stdout.trim();
}
