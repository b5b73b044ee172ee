/**
 * Unit-test helpers (not exported by the package): a DriverContext on the fake kernel and
 * NetworkInfo/EndpointInfo/GatewayChange builders. Subnets 10.33.x.0/24, fd00:33:x::/64.
 */
import type { DriverContext, DriverStateStore, EndpointInfo, GatewayChange, NetworkInfo, PortAllocator, PortBinding, SandboxInfo } from "@netd/driverapi";
import type { FakeKernel } from "@netd/kernel-fake";
import { createPortAllocator } from "@netd/portallocator";

/** An in-memory DriverStateStore. */
export function memoryState(): DriverStateStore {
  const data = new Map<string, unknown>();
  return {
    get: <T>(k: string) => Promise.resolve(data.get(k) as T | undefined),
    put: (k, v) => Promise.resolve(void data.set(k, structuredClone(v))),
    delete: (k) => Promise.resolve(void data.delete(k)),
    list: <T>(prefix: string) => Promise.resolve([...data].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value: value as T }))),
  };
}

/** A context whose info/warn/error messages are pushed onto `logs`. */
export function context(kernel: FakeKernel, logs: string[]): DriverContext & { readonly ports: PortAllocator } {
  return {
    kernel,
    hostNetns: kernel.hostNetns,
    ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }),
    log: { debug() {}, info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    state: memoryState(),
  };
}

/** Network `x`: id derived from x, bridge `br-r<x>`, dual-stack 10.33.x.0/24 + fd00:33:x::/64. */
export function network(x: number, over: Partial<NetworkInfo> = {}): NetworkInfo {
  return {
    id: `0000000000000000000${x}`.slice(-20),
    name: `n${x}`,
    driver: "routed",
    internal: false,
    ipv4: { subnet: `10.33.${x}.0/24`, gateway: `10.33.${x}.1`, ipRange: null },
    ipv6: { subnet: `fd00:33:${x}::/64`, gateway: `fd00:33:${x}::1`, ipRange: null },
    options: { "com.docker.network.bridge.name": `br-r${x}` },
    labels: {},
    ...over,
  };
}

/** Endpoint `id` on network `n` with host part `host` in both families. */
export function endpoint(n: NetworkInfo, id: string, host: number): EndpointInfo {
  const x = n.ipv4!.subnet.split(".")[2];
  return { id, networkId: n.id, ipv4: `10.33.${x}.${host}/24`, ipv6: `fd00:33:${x}::${host}/64`, mac: "02:42:0a:21:00:02", options: {} };
}

export const tcp = (containerPort: number, hostPort = 0, hostIp: string | null = null): PortBinding => ({ protocol: "tcp", containerPort, hostIp, hostPortStart: hostPort, hostPortEnd: hostPort });

export const sandbox = (netns: string, portBindings: PortBinding[], id = "sb1"): SandboxInfo => ({ id, name: id, netns, portBindings, exposedPorts: [] });

/** Both phases of one event, as core sends them. */
export function events(sb: SandboxInfo, gw4: string | null, gw6: string | null, endpoints: EndpointInfo[]): GatewayChange[] {
  return (["release", "acquire"] as const).map((phase) => ({ phase, sandbox: sb, gw4, gw6, endpoints }));
}
