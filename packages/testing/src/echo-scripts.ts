/**
 * The programs the echo helpers run with `node -e` inside a namespace. Each takes one JSON
 * argument (process.argv[1]) so no value is ever interpreted by a shell or spliced into code.
 *
 * Server: prints "READY <port>" once it listens; SIGTERM exits 0.
 * Client: prints the reply and exits 0; exit 2 = timeout, exit 3 = network error (refused,
 * unreachable, ...); anything else is a harness bug.
 */

/** Exit code of the client when no reply came in time. */
export const CLIENT_TIMEOUT = 2;
/** Exit code of the client when the network refused (ECONNREFUSED, EHOSTUNREACH, ...). */
export const CLIENT_NET_ERROR = 3;

export const SERVER_SCRIPT = `
"use strict";
const net = require("node:net");
const cfg = JSON.parse(process.argv[1]);
const answer = (payload) => cfg.reply + ":" + payload;
const die = (err) => { process.stderr.write("echo server: " + err.message + "\\n"); process.exit(1); };
process.on("SIGTERM", () => process.exit(0));
if (cfg.proto === "tcp") {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    const chunks = [];
    sock.on("data", (c) => chunks.push(c));
    sock.on("end", () => sock.end(answer(Buffer.concat(chunks).toString("utf8"))));
    sock.on("error", () => sock.destroy());
  });
  server.on("error", die);
  // "::" keeps the default ipv6Only=false: one dual-stack socket, like most real servers.
  server.listen({ host: cfg.address, port: cfg.port }, () => console.log("READY " + server.address().port));
} else {
  const sock = require("node:dgram").createSocket({ type: net.isIPv6(cfg.address) ? "udp6" : "udp4" });
  sock.on("error", die);
  sock.on("message", (msg, rinfo) => sock.send(answer(msg.toString("utf8")), rinfo.port, rinfo.address));
  sock.bind({ address: cfg.address, port: cfg.port }, () => console.log("READY " + sock.address().port));
}
`;

export const CLIENT_SCRIPT = `
"use strict";
const net = require("node:net");
const cfg = JSON.parse(process.argv[1]);
const target = cfg.proto + " " + (net.isIPv6(cfg.address) ? "[" + cfg.address + "]" : cfg.address) + ":" + cfg.port;
const fail = (code, text) => { process.stderr.write(text + "\\n"); process.exit(code); };
const netError = (err) => fail(${CLIENT_NET_ERROR}, (err.code || "ERROR") + " talking to " + target + ": " + err.message);
setTimeout(() => fail(${CLIENT_TIMEOUT}, "no reply from " + target + " within " + cfg.timeoutMs + " ms"), cfg.timeoutMs);
const done = (text) => { process.stdout.write(text); process.exit(0); };
if (cfg.proto === "tcp") {
  const opts = { host: cfg.address, port: cfg.port, allowHalfOpen: true };
  if (cfg.source) opts.localAddress = cfg.source;
  const chunks = [];
  const sock = net.connect(opts, () => sock.end(cfg.payload));
  sock.on("data", (c) => chunks.push(c));
  sock.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
  sock.on("error", netError);
} else {
  const sock = require("node:dgram").createSocket(net.isIPv6(cfg.address) ? "udp6" : "udp4");
  sock.on("error", netError);
  sock.on("message", (msg) => done(msg.toString("utf8")));
  // A connected socket gets ICMP port-unreachable as ECONNREFUSED instead of a silent timeout.
  const go = () => sock.connect(cfg.port, cfg.address, () => sock.send(cfg.payload));
  if (cfg.source) sock.bind({ address: cfg.source, port: 0 }, go); else go();
}
`;
