// Preloaded into the daemon by bench/peers/profile.mjs (node --import): counts netlink
// round trips (addon transact calls and the messages in them), nft transactions, sysctl
// reads and writes, netd-proxy control requests and bound sockets, store writes and fsyncs, sums the wall time each kind of call took from
// call to settlement (the time an operation waits on it when nothing else runs), and writes
// both to $NETD_COUNT_FILE on SIGUSR2.
import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const addon = require("../../../packages/netlink-native/build/Release/netlink_native.node");
const counts = { transact: 0, transactInline: 0, netlinkMessages: 0, nftRun: 0, sysctl: 0, proxyRequest: 0, bindSocket: 0, fileWrite: 0, datasync: 0, sync: 0 };
const ms = { transact: 0, transactInline: 0, nftRun: 0, sysctl: 0, proxyRequest: 0, bindSocket: 0, fileWrite: 0, datasync: 0, sync: 0 };
/** Adds the time from now until `result` settles (at once when it is not a promise) to ms[key]. */
const timed = (key, start, result) => {
  const done = () => (ms[key] += performance.now() - start);
  if (result && typeof result.then === "function") result.then(done, done);
  else done();
  return result;
};
const countMessages = (buf) => {
  let off = 0;
  while (off + 4 <= buf.length) {
    counts.netlinkMessages++;
    off += (buf.readUInt32LE(off) + 3) & ~3;
  }
};
for (const key of ["transact", "transactInline"]) {
  const orig = addon[key];
  if (typeof orig !== "function") continue;
  addon[key] = (fd, buf) => {
    counts[key]++;
    countMessages(buf);
    return timed(key, performance.now(), orig(fd, buf));
  };
}
const nftRun = addon.nftRun;
addon.nftRun = (text, opts) => {
  counts.nftRun++;
  return timed("nftRun", performance.now(), nftRun(text, opts));
};
for (const key of ["readFileInNetns", "writeFileInNetns"]) {
  const orig = addon[key];
  addon[key] = (...args) => {
    counts.sysctl++;
    return timed("sysctl", performance.now(), orig(...args));
  };
}
for (const [name, key] of [["controlRequest", "proxyRequest"], ["controlRequests", "proxyRequest"], ["bindSocket", "bindSocket"]]) {
  const orig = addon[name];
  if (typeof orig !== "function") continue;
  addon[name] = (...args) => {
    counts[key]++;
    return timed(key, performance.now(), orig(...args));
  };
}
const fh = await open("/proc/self/status", "r");
const proto = Object.getPrototypeOf(fh);
await fh.close();
for (const [name, key] of [["write", "fileWrite"], ["datasync", "datasync"], ["sync", "sync"]]) {
  const orig = proto[name];
  proto[name] = function (...args) {
    counts[key]++;
    return timed(key, performance.now(), orig.apply(this, args));
  };
}
process.on("SIGUSR2", () => writeFileSync(process.env.NETD_COUNT_FILE, JSON.stringify({ ...counts, ms })));
