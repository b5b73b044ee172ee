// A timeline of single attaches, for the profile notes (docs/benchmarks/PROFILE.md): preload it
// into the daemon (node --import bench/peers/profile/timeline-preload.mjs apps/netd/dist/main.js
// daemon …, or NODE_OPTIONS="--import …") with NETD_TIMELINE_FILE set; for the
// NETD_TIMELINE_FROM-th request (default 10) matching NETD_TIMELINE_REQUEST (method and path
// prefix, default "POST /sandboxes") and the two after it, every addon call and file
// open/write/datasync is appended to the file with its start (ms from the request's arrival)
// and duration.
import { appendFileSync } from "node:fs";
import { open } from "node:fs/promises";
import http from "node:http";
import { createRequire, syncBuiltinESMExports } from "node:module";

const require = createRequire(import.meta.url);
const addon = require("../../../packages/netlink-native/build/Release/netlink_native.node");
const out = process.env.NETD_TIMELINE_FILE;
const from = Number(process.env.NETD_TIMELINE_FROM ?? 10);
const [method, path] = (process.env.NETD_TIMELINE_REQUEST ?? "POST /sandboxes").split(" ");
let t0 = 0;
let on = false;
const events = [];
const record = (name, start, result) => {
  if (!on) return result;
  const done = () => events.push([name, start - t0, performance.now() - start]);
  if (result && typeof result.then === "function") result.then(done, done);
  else done();
  return result;
};
for (const key of Object.keys(addon)) {
  const fn = addon[key];
  if (typeof fn !== "function") continue;
  addon[key] = (...args) => {
    let label = key;
    if (key.startsWith("transact") && Buffer.isBuffer(args[1])) label += ` type=${args[1].readUInt16LE(4)}`;
    if (key === "nftRun") label += ` ${String(args[0]).slice(0, 60).replace(/\n/g, " ")}`;
    return record(label, performance.now(), fn(...args));
  };
}
const fsp = require("node:fs/promises");
const openFile = fsp.open;
fsp.open = (...args) => record(`fs.open ${args[0]}`, performance.now(), openFile(...args));
syncBuiltinESMExports();
const fh = await open("/proc/self/status", "r");
const proto = Object.getPrototypeOf(fh);
await fh.close();
for (const name of ["write", "writev", "datasync", "close"]) {
  const orig = proto[name];
  proto[name] = function (...args) {
    return record(`fs.${name}`, performance.now(), orig.apply(this, args));
  };
}
const emit = http.Server.prototype.emit;
let n = 0;
http.Server.prototype.emit = function (type, req, res) {
  if (type === "request" && req.method === method && req.url.startsWith(path) && ++n >= from && n < from + 3) {
    on = true;
    t0 = performance.now();
    events.length = 0;
    const nth = n;
    res.on("finish", () => {
      on = false;
      const lines = events.sort((a, b) => a[1] - b[1]).map(([name, start, took]) => `${start.toFixed(2).padStart(7)} +${took.toFixed(2).padStart(6)}  ${name}`);
      appendFileSync(out, `--- ${req.method} ${req.url} #${nth}: ${(performance.now() - t0).toFixed(2)} ms\n${lines.join("\n")}\n`);
    });
  }
  return emit.apply(this, arguments);
};
