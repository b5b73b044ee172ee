// Served by @netd/testing's agent inside a test's "host" namespace: the whole stack
// (Linux kernel, controller, bridge driver, port allocator with real socket reservations)
// runs there, as the daemon would. Imports the BUILT packages (turbo builds them before
// test:int). Every export is one RPC.
import { createLinuxKernel, createUserlandProxy } from "@netd/kernel";
import { Controller, createMemoryStore } from "@netd/libnet-core";
import { createOsPortReserver, createPortAllocator } from "@netd/portallocator";
import { createBridgeDriver } from "@netd/driver-bridge";

let state = null;
let opened = null;

const log = {
  debug() {},
  info() {},
  warn: (msg, fields) => console.log(JSON.stringify({ level: "warn", msg, ...fields })),
  error: (msg, fields) => console.log(JSON.stringify({ level: "error", msg, ...fields })),
};

/**
 * Opens the stack. `netnsPrefix` must be the test env's prefix + "-" so leftovers are caught.
 * With the proxy on, bindings go through netd-proxy as in the daemon (`proxyProcess: false`:
 * the driver's in-process fallback).
 */
export async function open(options) {
  return openWith(options, createMemoryStore());
}

async function openWith(options, store) {
  const { netnsPrefix, userlandProxy = true, proxyProcess = true, portRange = { start: 40000, end: 40999 } } = options;
  opened = options;
  const kernel = createLinuxKernel();
  const ports = createPortAllocator({ range: portRange, reservedPorts: [] });
  const portReserver = createOsPortReserver({ allocator: ports });
  const proxy = userlandProxy && proxyProcess ? createUserlandProxy({ socketPath: `/tmp/${netnsPrefix}proxy.sock`, log }) : null;
  await proxy?.open();
  const driver = createBridgeDriver({ userlandProxy, ...(proxy ? { proxy: proxy.forDriver() } : {}) });
  const controller = await Controller.open({ kernel, store, drivers: [driver], ports, portReserver, log, netnsPrefix });
  await proxy?.reconcile();
  state = { kernel, controller, driver, store, proxy };
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
export async function endpoints(filter) {
  return c().listEndpoints(filter ?? {});
}
/** Operational bindings of an endpoint, as inspect shows them. */
export async function endpointInfo(endpointId) {
  return c().endpointInfo(endpointId);
}

/** A daemon restart: closes the stack (kernel state stays) and opens it again on the same store. */
export async function restart() {
  if (!state) throw new Error("call open() first");
  const { store } = state;
  await close();
  return openWith(opened, store);
}

export async function close() {
  if (!state) return;
  const { controller, kernel, proxy } = state;
  state = null;
  await controller.close();
  await proxy?.stop();
  await kernel.close();
}
