// Fixtures for the publisher's unit tests: a DriverContext over the fake kernel and a real
// port allocator, a recording BridgeFirewall, a recording proxy manager.
import type { DriverStateStore, GatewayChange, HostPortReserver, PortBinding } from "@netd/driverapi";
import { createFakeKernel } from "@netd/kernel-fake";
import type { FakeKernel } from "@netd/kernel-fake";
import { createPortAllocator } from "@netd/portallocator";
import type { BridgeEndpoint, BridgeFirewall, BridgeNetworkConfig, EndpointPorts, PublishContext } from "../../src/model.js";
import type { ProxyListener, ProxyManager, ProxySpec } from "../../src/proxy/types.js";
import { bridgeNetworkConfig } from "./network-config.js";

export function memoryState(): DriverStateStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(key: string) => Promise.resolve(data.get(key) as T | undefined),
    put: (key, value) => Promise.resolve(void data.set(key, JSON.parse(JSON.stringify(value)))),
    delete: (key) => Promise.resolve(void data.delete(key)),
    list: <T>(prefix: string) =>
      Promise.resolve([...data].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value: value as T }))),
  };
}

/** The publisher's stable context plus the per-call state and the driver's proxy switch. */
export interface TestContext extends PublishContext {
  readonly kernel: FakeKernel;
  readonly userlandProxy: boolean;
  readonly logs: Array<{ level: string; message: string }>;
  readonly state: ReturnType<typeof memoryState>;
}

export function testContext(options: { proxy?: boolean; reserver?: HostPortReserver; state?: ReturnType<typeof memoryState> } = {}): TestContext {
  const logs: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => void logs.push({ level, message });
  return {
    kernel: createFakeKernel({ hostNetns: "/run/netns/host" }),
    hostNetns: "/run/netns/host",
    ports: createPortAllocator({ range: { start: 40000, end: 40099 }, reservedPorts: [] }),
    ...(options.reserver ? { portReserver: options.reserver } : {}),
    log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    state: options.state ?? memoryState(),
    userlandProxy: options.proxy ?? false,
    logs,
  };
}

export function recordingFirewall(): BridgeFirewall & { ports: Map<string, EndpointPorts>; failNext: (e: Error) => void; calls: number } {
  const ports = new Map<string, EndpointPorts>();
  let fail: Error | null = null;
  const fw = {
    ports,
    calls: 0,
    failNext: (e: Error) => void (fail = e),
    addNetwork: () => Promise.resolve(),
    removeNetwork: () => Promise.resolve(),
    addEndpoint: () => Promise.resolve(),
    removeEndpoint: () => Promise.resolve(),
    reconcile: () => Promise.resolve(),
    setEndpointPorts(id: string, p: EndpointPorts) {
      fw.calls++;
      if (fail) {
        const e = fail;
        fail = null;
        return Promise.reject(e);
      }
      if (p.mappings.length === 0 && p.openings.length === 0) ports.delete(id);
      else ports.set(id, p);
      return Promise.resolve();
    },
  };
  return fw;
}

export function recordingProxy(): ProxyManager & { running: Set<ProxySpec>; busy: Set<string> } {
  const running = new Set<ProxySpec>();
  const busy = new Set<string>();
  return {
    running,
    busy,
    start(spec) {
      if (busy.has(`${spec.hostIp}:${spec.hostPort}`)) {
        return Promise.reject(Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }));
      }
      running.add(spec);
      const listener: ProxyListener = { spec, close: () => Promise.resolve(void running.delete(spec)) };
      return Promise.resolve(listener);
    },
    count: () => running.size,
    close: () => Promise.resolve(running.clear()),
  };
}

export function network(over: Partial<BridgeNetworkConfig> & { id: string }): BridgeNetworkConfig {
  return bridgeNetworkConfig({ subnet4: "10.32.1.0/24", subnet6: "fd00:32:1::/64", ...over });
}

export function endpoint(id: string, networkId: string, ipv4: string | null, ipv6: string | null, sandboxId = "sb1"): BridgeEndpoint {
  return { id, networkId, sandboxId, netns: `/run/netns/${sandboxId}`, hostIfname: `veth${id}`, ifname: "eth0", ipv4, ipv6, mac: "02:42:0a:20:01:02" };
}

export function change(
  phase: "release" | "acquire",
  gw4: string | null,
  gw6: string | null,
  portBindings: PortBinding[],
): GatewayChange {
  return {
    phase,
    sandbox: { id: "sb1", name: "c1", netns: "/run/netns/sb1", portBindings, exposedPorts: [] },
    gw4,
    gw6,
    endpoints: [],
  };
}

export const tcp = (containerPort: number, hostPortStart = 0, hostPortEnd = hostPortStart, hostIp: string | null = null): PortBinding => ({
  protocol: "tcp",
  containerPort,
  hostIp,
  hostPortStart,
  hostPortEnd,
});
export const udp = (containerPort: number, hostPortStart = 0, hostPortEnd = hostPortStart, hostIp: string | null = null): PortBinding => ({
  ...tcp(containerPort, hostPortStart, hostPortEnd, hostIp),
  protocol: "udp",
});
