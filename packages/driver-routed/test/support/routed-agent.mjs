// Served by @netd/testing's agent inside a test's "host" namespace: one Controller with BOTH
// the bridge driver (table netd) and the routed driver (table netd_routed), as the daemon
// registers them. Imports the BUILT packages (turbo builds them before test:int). Every
// export is one RPC. Info-level messages (the routed notices) are kept for `logs()`.
import { createLinuxKernel, createUserlandProxy } from "@netd/kernel";
import { Controller, createMemoryStore } from "@netd/libnet-core";
import { createOsPortReserver, createPortAllocator } from "@netd/portallocator";
import { createBridgeDriver } from "@netd/driver-bridge";
import { createRoutedDriver } from "@netd/driver-routed";

let state = null;
const messages = [];

const log = {
  debug() {},
  info: (msg) => messages.push(msg),
  warn: (msg, fields) => {
    messages.push(msg);
    console.log(JSON.stringify({ level: "warn", msg, ...fields }));
  },
  error: (msg, fields) => {
    messages.push(msg);
    console.log(JSON.stringify({ level: "error", msg, ...fields }));
  },
};

/**
 * Opens the stack. `netnsPrefix` must be the test env's prefix + "-" so leftovers are caught.
 * With the proxy on, both drivers use one netd-proxy, as in the daemon.
 */
export async function open(options) {
  const { netnsPrefix, userlandProxy = true, portRange = { start: 41000, end: 41999 } } = options;
  const kernel = createLinuxKernel();
  const ports = createPortAllocator({ range: portRange, reservedPorts: [] });
  const portReserver = createOsPortReserver({ allocator: ports });
  const proxy = userlandProxy ? createUserlandProxy({ socketPath: `/tmp/${netnsPrefix}proxy.sock`, log: { ...log, info() {} } }) : null;
  await proxy?.open();
  const view = () => (proxy ? { proxy: proxy.forDriver() } : {});
  const drivers = [createBridgeDriver({ userlandProxy, ...view() }), createRoutedDriver({ userlandProxy, ...view() })];
  const controller = await Controller.open({ kernel, store: createMemoryStore(), drivers, ports, portReserver, log, netnsPrefix });
  state = { kernel, controller, drivers, proxy };
  return { drivers: controller.drivers() };
}

const c = () => {
  if (!state) throw new Error("call open() first");
  return state.controller;
};

export async function createNetwork(req) {
  return c().createNetwork(req);
}
export async function deleteNetwork(ref) {
  await c().deleteNetwork(ref);
}
export async function createSandbox(req) {
  return c().createSandbox(req);
}
export async function deleteSandbox(ref) {
  return (await c().deleteSandbox(ref)).map(String);
}
export async function connect(network, sandbox, config) {
  return c().connect(network, sandbox, config);
}
export async function disconnect(network, sandbox) {
  const res = await c().disconnect(network, sandbox);
  return { errors: res.errors.map(String) };
}
export async function getSandbox(ref) {
  return c().getSandbox(ref);
}
/** Operational bindings of an endpoint, as inspect shows them. */
export async function endpointInfo(endpointId) {
  return c().endpointInfo(endpointId);
}
/** Messages logged since the last call (and forgets them). */
export async function logs() {
  return messages.splice(0);
}

export async function close() {
  if (!state) return;
  const { controller, kernel, proxy } = state;
  state = null;
  await controller.close();
  await proxy?.stop();
  await kernel.close();
}
