// Preloaded into the daemon by bench/peers/profile.mjs (node --import): counts netlink
// round trips (addon transact calls and the messages in them), nft transactions, store
// writes and fsyncs, and writes the counts to $NETD_COUNT_FILE on SIGUSR2.
import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const addon = require("../../../packages/netlink-native/build/Release/netlink_native.node");
const counts = { transact: 0, netlinkMessages: 0, nftRun: 0, fileWrite: 0, datasync: 0, sync: 0 };
const transact = addon.transact;
addon.transact = (fd, buf) => {
  counts.transact++;
  let off = 0;
  while (off + 4 <= buf.length) {
    counts.netlinkMessages++;
    off += (buf.readUInt32LE(off) + 3) & ~3;
  }
  return transact(fd, buf);
};
const nftRun = addon.nftRun;
addon.nftRun = (text, opts) => {
  counts.nftRun++;
  return nftRun(text, opts);
};
const fh = await open("/proc/self/status", "r");
const proto = Object.getPrototypeOf(fh);
await fh.close();
for (const [name, key] of [["write", "fileWrite"], ["datasync", "datasync"], ["sync", "sync"]]) {
  const orig = proto[name];
  proto[name] = function (...args) {
    counts[key]++;
    return orig.apply(this, args);
  };
}
process.on("SIGUSR2", () => writeFileSync(process.env.NETD_COUNT_FILE, JSON.stringify(counts)));
