/**
 * Shared by the fault-injection and crash unit tests: a Controller with the real drivers over
 * a given kernel and store, a port allocator whose allocations can be listed, and one
 * comparable observation of everything an operation may change.
 */
import { createBridgeDriver } from "@netd/driver-bridge";
import { createRoutedDriver } from "@netd/driver-routed";
import type { HostPortReserver, Kernel, PortAllocator } from "@netd/driverapi";
import type { FakeKernel } from "@netd/kernel-fake";
import { Controller } from "@netd/libnet-core";
import type { MemoryStore } from "@netd/libnet-core";
import { createOsPortReserver, createPortAllocator } from "@netd/portallocator";

/** An allocator plus the set of "address/protocol/port" it holds (bookkeeping seen from outside). */
export interface TrackedPorts {
  readonly allocator: PortAllocator;
  held(): string[];
}

/** Wraps a real allocator (range 40000-40999) and mirrors its allocations. */
export function trackPorts(): TrackedPorts {
  const inner = createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] });
  const held = new Set<string>();
  const allocator: PortAllocator = {
    requestPortsInRange(addresses, protocol, start, end, options) {
      const port = inner.requestPortsInRange(addresses, protocol, start, end, options);
      for (const a of addresses) held.add(`${a}/${protocol}/${port}`);
      return port;
    },
    releasePort(address, protocol, port) {
      inner.releasePort(address, protocol, port);
      held.delete(`${address}/${protocol}/${port}`);
    },
    releaseAll() {
      inner.releaseAll();
      held.clear();
    },
    restore(entries) {
      inner.restore(entries);
      for (const e of entries) held.add(`${e.address}/${e.protocol}/${e.port}`);
    },
  };
  return { allocator, held: () => [...held].sort() };
}

/** Opens a controller with the bridge and routed drivers (no userland proxy). */
export function openWorld(kernel: Kernel, store: MemoryStore, ports: PortAllocator, portReserver?: HostPortReserver): Promise<Controller> {
  return Controller.open({
    kernel,
    store,
    drivers: [createBridgeDriver({ userlandProxy: false }), createRoutedDriver({ userlandProxy: false })],
    ports,
    ...(portReserver ? { portReserver } : {}),
  });
}

/**
 * A reserver over `ports` whose "sockets" are entries in `bound` ("address/protocol/port"):
 * a second bind of the same key fails with EADDRINUSE, as the kernel would.
 */
export function fakeSocketReserver(ports: PortAllocator): { reserver: HostPortReserver; bound: Set<string> } {
  const bound = new Set<string>();
  const reserver = createOsPortReserver({
    allocator: ports,
    bind: (r) => {
      const key = `${r.address}/${r.protocol}/${r.port}`;
      if (bound.has(key)) return Promise.reject(Object.assign(new Error("address in use"), { code: "EADDRINUSE" }));
      bound.add(key);
      return Promise.resolve({ close: () => Promise.resolve(void bound.delete(key)) });
    },
  });
  return { reserver, bound };
}

/** Host-wide forwarding sysctls stay on once a network turned them on (by design, also after a normal delete). */
const STICKY_SYSCTLS = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables"];

/** Kernel snapshot without sticky sysctls and inline nft element lists (elements are compared through `sets`). */
export function observeKernel(kernel: FakeKernel): ReturnType<FakeKernel["snapshot"]> {
  const snap = kernel.snapshot();
  for (const ns of Object.values(snap.namespaces)) {
    for (const key of STICKY_SYSCTLS) delete ns.sysctls[key];
    for (const table of Object.values(ns.nft)) (table as { body: string }).body = table.body.replace(/\s*elements = \{[^}]*\}/g, "");
  }
  return snap;
}

interface IpamCounters {
  usage(networkId: string): { ipv4: { allocated: number } | null; ipv6: { allocated: bigint } | null };
}

/** Kernel, store, allocator and IPAM usage per network: what an operation may change. */
export function observeWorld(c: Controller, kernel: FakeKernel, store: MemoryStore, ports: TrackedPorts) {
  // IPAM's counters are not part of the public API; tests read them from the core.
  const core = (c as unknown as { core: { ipam: IpamCounters } }).core;
  const ipam = Object.fromEntries(
    c.listNetworks().map((n) => {
      const u = core.ipam.usage(n.id);
      return [n.name, { ipv4: u.ipv4?.allocated ?? null, ipv6: u.ipv6 ? String(u.ipv6.allocated) : null }];
    }),
  );
  return { kernel: observeKernel(kernel), store: store.dump(), ports: ports.held(), ipam };
}
