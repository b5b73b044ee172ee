// Runs inside the bench's host namespace (started by attach.bench.mjs through @netd/testing's
// agent): the real stack on the built packages, timing attach + detach with one dual-stack
// published port while N sandboxes are already attached, and the first-packet latency
// (TCP connect through the DNAT) to the first and the last published port.
import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { createLinuxKernel, raiseOpenFileLimit } from "@netd/kernel";
import { Controller, createMemoryStore } from "@netd/libnet-core";
import { createOsPortReserver, createPortAllocator } from "@netd/portallocator";
import { createBridgeDriver } from "@netd/driver-bridge";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let s = null;

export async function open({ netnsPrefix, userlandProxy }) {
  raiseOpenFileLimit(); // as the daemon does: 2 host-port sockets per published sandbox
  const kernel = createLinuxKernel();
  const ports = createPortAllocator({ range: { start: 20000, end: 29999 }, reservedPorts: [] });
  const driver = createBridgeDriver();
  const controller = await Controller.open({
    kernel, store: createMemoryStore(), drivers: [driver], ports, portReserver: createOsPortReserver({ allocator: ports }), log: quiet, netnsPrefix, userlandProxy,
  });
  await controller.createNetwork({ name: "bench", enableIPv6: true, ipam: { ipv4: { subnet: "10.32.0.0/16" }, ipv6: { subnet: "fd00:32:99::/64" } } });
  s = { kernel, controller, driver, count: 0, sandboxes: [] };
  return { rss: process.memoryUsage().rss, fds: fds() };
}

const pb = (hostPort) => [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: hostPort, hostPortEnd: hostPort }];

async function attachOne() {
  const i = s.count++;
  const sb = await s.controller.createSandbox({ name: `b${i}`, portBindings: pb(10000 + i) });
  await s.controller.connect("bench", sb.id, {});
  s.sandboxes.push(sb.id);
  return sb.id;
}

/** Open file descriptors of this process. */
const fds = () => readdirSync("/proc/self/fd").length;

/**
 * Attaches sandboxes until `n` are attached. Each holds 2 fds here (host-port sockets on
 * 0.0.0.0 and ::); the kernel layer keeps at most 64 sandbox sockets and no namespace fds,
 * and libnftables runs on a context made at load time, so fds beyond 1024 are fine.
 */
export async function fill(n) {
  while (s.sandboxes.length < n) await attachOne();
  return { rss: process.memoryUsage().rss, fds: fds() };
}

/** Median of `rounds` attach (+detach) times of one extra sandbox, in ms. */
export async function attachDetach(rounds) {
  const attach = [];
  const detach = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const id = await attachOne();
    const t1 = performance.now();
    s.sandboxes.pop();
    await s.controller.deleteSandbox(id);
    detach.push(performance.now() - t1);
    attach.push(t1 - t0);
  }
  const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { attach: med(attach), detach: med(detach) };
}

/**
 * TCP first-packet round trip (ms, median of `rounds`) to HOST:port of the first and the last
 * sandbox. Nothing listens in the sandboxes, so the SYN, DNATed to the container, comes back
 * as a RST from the container's stack: ECONNREFUSED is the only accepted outcome. A completed
 * connect would mean the DNAT was missed (the proxy or a reservation socket answered), and any
 * other error (no route to HOST, timeout) means the setup is broken: both throw.
 */
export async function firstPacket(host, rounds) {
  const once = (port) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const c = connect({ host, port });
      const timer = setTimeout(() => c.destroy(new Error(`no answer from ${host}:${port} within 2 s`)), 2000);
      c.once("connect", () => {
        clearTimeout(timer);
        c.destroy();
        reject(new Error(`${host}:${port} accepted the connection: the DNAT to the container was missed`));
      });
      c.once("error", (e) => {
        clearTimeout(timer);
        c.destroy();
        if (e.code === "ECONNREFUSED") resolve(performance.now() - t0);
        else reject(new Error(`first packet to ${host}:${port}: ${e.code ?? e.message}`));
      });
    });
  const med = async (port) => {
    const a = [];
    for (let r = 0; r < rounds; r++) a.push(await once(port));
    return a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  };
  return { first: await med(10000), last: await med(10000 + s.sandboxes.length - 1) };
}

export async function close() {
  for (const id of s.sandboxes) await s.controller.deleteSandbox(id);
  await s.controller.deleteNetwork("bench");
  await s.driver.close();
  await s.controller.close();
  await s.kernel.close();
  s = null;
}
