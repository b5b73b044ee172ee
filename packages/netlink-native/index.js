// ESM loader for the compiled addon (build/Release/netlink_native.node, built at install
// by `node-gyp rebuild`). Types and documentation: index.d.ts.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const addon = require("./build/Release/netlink_native.node");

/** NETLINK_ROUTE (rtnetlink): links, addresses, routes. */
export const NETLINK_ROUTE = 0;
/** NETLINK_NETFILTER (nfnetlink): conntrack. */
export const NETLINK_NETFILTER = 12;

export const openNetlink = addon.openNetlink;
export const transact = addon.transact;
export const transactInline = addon.transactInline;
export const closeNetlink = addon.closeNetlink;
export const nftRun = addon.nftRun;
export const createNetns = addon.createNetns;
export const deleteNetns = addon.deleteNetns;
export const isNetns = addon.isNetns;
export const netnsIdentity = addon.netnsIdentity;
export const openNetns = addon.openNetns;
export const readFileInNetns = addon.readFileInNetns;
export const writeFileInNetns = addon.writeFileInNetns;
export const raiseOpenFileLimit = addon.raiseOpenFileLimit;
export const limitMallocArenas = addon.limitMallocArenas;
export const trimMalloc = addon.trimMalloc;
export const bindSocket = addon.bindSocket;
export const controlConnect = addon.controlConnect;
export const controlRequest = addon.controlRequest;
export const controlRequests = addon.controlRequests;
export const closeFd = addon.closeFd;

/** Absolute path of the netd-proxy executable built next to the addon. */
export const proxyBinaryPath = fileURLToPath(new URL("./build/Release/netd-proxy", import.meta.url));
