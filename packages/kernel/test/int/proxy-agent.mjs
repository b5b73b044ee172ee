// Served by @netd/testing's agent inside a test's "host" namespace: the daemon's side of
// netd-proxy (createUserlandProxy from the BUILT @netd/kernel) runs there, as in the daemon.
// Every export is one RPC; listeners are named by the binding key the test passes.
import { createUserlandProxy } from "@netd/kernel";
import { bindSocket, closeFd, controlConnect, controlRequest, controlRequests } from "@netd/netlink-native";

let proxy = null;
let view = null;
const listeners = new Map();
const events = [];

export async function open(options) {
  proxy = createUserlandProxy({ ...options, onEvent: (e) => events.push(e) });
  view = proxy.forDriver();
  return proxy.open();
}
export async function start(key, spec) {
  listeners.set(key, await view.start(spec));
  return null;
}
export async function stopBinding(key) {
  await listeners.get(key)?.close();
  listeners.delete(key);
}
/**
 * Issues `ops` ({ op: "start", key, spec } or { op: "stop", key }) in one turn of the event
 * loop, as a driver publishing a sandbox's ports does; resolves to each one's outcome.
 */
export async function batch(ops) {
  const settled = await Promise.allSettled(
    ops.map((o) => (o.op === "start" ? view.start(o.spec).then((l) => void listeners.set(o.key, l)) : (listeners.get(o.key)?.close() ?? Promise.resolve()).then(() => void listeners.delete(o.key)))),
  );
  return settled.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason?.code ?? String(r.reason))));
}
const held = [];
/** Binds `protocol` ip:port here and keeps it (a port someone else holds). */
export async function occupy(protocol, ip, port) {
  held.push(await bindSocket(protocol, ip, port));
}
export async function reconcile() {
  return proxy.reconcile();
}
export async function stats() {
  return proxy.stats();
}
export async function pid() {
  return proxy.pid();
}
export async function getEvents() {
  return events;
}
/** True when `protocol` ip:port can be bound here now (the proxy released it). */
export async function canBind(protocol, ip, port) {
  try {
    closeFd(await bindSocket(protocol, ip, port));
    return true;
  } catch {
    return false;
  }
}
/**
 * Sends `text` straight to the proxy's control socket on a connection of its own, past the
 * daemon side's validation, with a freshly bound socket attached when `attach` names one
 * ("tcp" listening or "udp"); resolves to the proxy's reply.
 */
export async function raw(socketPath, text, attach, port) {
  const fd = await controlConnect(socketPath);
  const sock = attach ? await bindSocket(attach, "127.0.0.1", port) : -1;
  try {
    return await controlRequest(fd, text, sock);
  } finally {
    if (sock >= 0) closeFd(sock);
    closeFd(fd);
  }
}
/**
 * `raw` for several requests in one controlRequests exchange: `reqs` are [text, attach]
 * pairs, the i-th attached socket bound to `firstPort + i`; resolves to the replies.
 */
export async function rawMany(socketPath, reqs, firstPort) {
  const fd = await controlConnect(socketPath);
  const socks = [];
  try {
    for (const [i, [, attach]] of reqs.entries()) socks.push(attach ? await bindSocket(attach, "127.0.0.1", firstPort + i) : -1);
    return await controlRequests(
      fd,
      reqs.map(([text]) => text),
      socks,
    );
  } finally {
    for (const s of socks) if (s >= 0) closeFd(s);
    closeFd(fd);
  }
}
export async function shutdown() {
  for (const fd of held.splice(0)) closeFd(fd);
  await proxy?.stop();
  proxy = null;
}
export async function close() {
  await proxy?.stop();
}
