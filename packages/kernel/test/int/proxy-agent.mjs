// Served by @netd/testing's agent inside a test's "host" namespace: the daemon's side of
// netd-proxy (createUserlandProxy from the BUILT @netd/kernel) runs there, as in the daemon.
// Every export is one RPC; listeners are named by the binding key the test passes.
import { createUserlandProxy } from "@netd/kernel";
import { bindSocket, closeFd } from "@netd/netlink-native";

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
export async function shutdown() {
  await proxy?.stop();
  proxy = null;
}
export async function close() {
  await proxy?.stop();
}
