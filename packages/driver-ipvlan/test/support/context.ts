/**
 * Unit-test helpers (not exported): a DriverContext on the fake kernel with an in-memory
 * state store, and NetworkInfo/EndpointInfo/SandboxInfo builders. Subnets 10.44.x.0/24,
 * fd00:44:x::/64. The host namespace has `eth0` (a veth of the machine, not netd's).
 */
import type { DriverContext, DriverStateStore, EndpointInfo, GatewayChange, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel, type FakeKernelOptions } from "@netd/kernel-fake";

/** An in-memory DriverStateStore. */
export function memoryState(): DriverStateStore & { readonly data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(k: string) => Promise.resolve(data.get(k) as T | undefined),
    put: (k, v) => Promise.resolve(void data.set(k, structuredClone(v))),
    delete: (k) => Promise.resolve(void data.delete(k)),
    list: <T>(prefix: string) => Promise.resolve([...data].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value: value as T }))),
  };
}

export interface World {
  readonly kernel: FakeKernel;
  readonly ctx: DriverContext & { readonly state: ReturnType<typeof memoryState> };
  readonly logs: string[];
}

/** A fake kernel with host links eth0 (up) and eth1, and a context on it. */
export function world(options: FakeKernelOptions = {}): World {
  const kernel = createFakeKernel(options);
  kernel.seedLink(kernel.hostNetns, { name: "eth0", kind: "veth", up: true });
  kernel.seedLink(kernel.hostNetns, { name: "eth1", kind: "", up: true });
  const logs: string[] = [];
  const ctx = {
    kernel,
    hostNetns: kernel.hostNetns,
    log: { debug() {}, info: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(m), error: (m: string) => void logs.push(m) },
    state: memoryState(),
  };
  return { kernel, ctx, logs };
}

/** Network `x`: dual-stack, no gateways (ipvlan reserves none unless given), `options` as given. */
export function network(x: number, options: Record<string, string>, over: Partial<NetworkInfo> = {}): NetworkInfo {
  return {
    id: `${String(x).padStart(2, "0")}${"ab".repeat(31)}`,
    name: `ipv${x}`,
    driver: "ipvlan",
    internal: false,
    ipv4: { subnet: `10.44.${x}.0/24`, gateway: null, ipRange: null },
    ipv6: { subnet: `fd00:44:${x}::/64`, gateway: null, ipRange: null },
    options,
    labels: {},
    ...over,
  };
}

/** The same network with gateways x.254 in both families. */
export function withGateways(n: NetworkInfo): NetworkInfo {
  const x = n.ipv4!.subnet.split(".")[2]!;
  return { ...n, ipv4: { ...n.ipv4!, gateway: `10.44.${x}.254` }, ipv6: { ...n.ipv6!, gateway: `fd00:44:${x}::254` } };
}

/** Endpoint `id` on network `n` with host part `host` in both families. */
export function endpoint(n: NetworkInfo, id: string, host: number, over: Partial<EndpointInfo> = {}): EndpointInfo {
  const x = n.ipv4!.subnet.split(".")[2];
  return { id, networkId: n.id, ipv4: `10.44.${x}.${host}/24`, ipv6: `fd00:44:${x}::${host}/64`, mac: null, options: {}, ...over };
}

/** A sandbox with its own namespace in the fake kernel. */
export async function sandbox(w: World, name: string): Promise<SandboxInfo> {
  const netns = await w.kernel.netns.create(name);
  return { id: name, name, netns, portBindings: [], exposedPorts: [] };
}

/** Both phases of one event, as core sends them. */
export function events(sb: SandboxInfo, gw4: string | null, gw6: string | null, endpoints: EndpointInfo[]): GatewayChange[] {
  return (["release", "acquire"] as const).map((phase) => ({ phase, sandbox: sb, gw4, gw6, endpoints }));
}

/** Host links by name, sorted. */
export function hostLinks(w: World): string[] {
  return w.kernel.snapshot().namespaces[w.kernel.hostNetns]!.links.map((l) => l.name).sort();
}

/** Default routes in a namespace as "family to via dev". */
export function defaults(w: World, netns: string): string[] {
  return w.kernel
    .snapshot()
    .namespaces[netns]!.routes.filter((r) => r.to === "default")
    .map((r) => `${r.family} default${r.via ? ` via ${r.via}` : ""} dev ${r.dev}`)
    .sort();
}
