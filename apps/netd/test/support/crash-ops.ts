/**
 * The crash test's vocabulary: a seeded random generator, the API operations it fires at the
 * daemon, and the consistency check it runs after every restart (API vs kernel vs host-port
 * sockets, no leaks).
 */
import { expect } from "vitest";
import { HOST4, echoServerArgv, waitFor } from "./netd-world.js";
import type { NetdWorld, SandboxJson } from "./netd-world.js";

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NETWORKS = 4;
export const SANDBOXES = 6;
/** Sandbox j publishes container port 80/tcp on host port HOST_PORT_BASE + j. */
export const HOST_PORT_BASE = 18400;

/** One random API operation: its label and the request. */
export function randomOp(w: NetdWorld, rnd: () => number): { label: string; run: () => Promise<number> } {
  const n = Math.floor(rnd() * NETWORKS);
  const s = Math.floor(rnd() * SANDBOXES);
  // Weighted towards creates and connects, so that joined sandboxes with ports exist to break.
  const r = rnd();
  const kind = r < 0.2 ? 0 : r < 0.26 ? 1 : r < 0.5 ? 2 : r < 0.6 ? 3 : r < 0.9 ? 4 : 5;
  const status = (p: Promise<{ status: number }>) => p.then((r) => r.status);
  switch (kind) {
    case 0:
      return { label: `network create n${n}`, run: () => status(w.http("POST", "/networks/create", { Name: `n${n}`, IPAM: { Config: [{ Subnet: `10.240.${n}.0/24` }] } })) };
    case 1:
      return { label: `network rm n${n}`, run: () => status(w.http("DELETE", `/networks/n${n}`)) };
    case 2:
      return {
        label: `sandbox create s${s}`,
        run: () => status(w.http("POST", "/sandboxes", { Name: `s${s}`, PortBindings: { "80/tcp": [{ HostPort: String(HOST_PORT_BASE + s) }] } })),
      };
    case 3:
      return { label: `sandbox rm s${s}`, run: () => status(w.http("DELETE", `/sandboxes/s${s}`)) };
    case 4:
      return { label: `connect n${n} s${s}`, run: () => status(w.http("POST", `/networks/n${n}/connect`, { Container: `s${s}` })) };
    default:
      return { label: `disconnect n${n} s${s}`, run: () => status(w.http("POST", `/networks/n${n}/disconnect`, { Container: `s${s}` })) };
  }
}

/** What the API shows. */
export interface ApiState {
  readonly networks: Array<{ Name: string; Id: string; Options?: Record<string, string> }>;
  readonly sandboxes: SandboxJson[];
}

export async function apiState(w: NetdWorld): Promise<ApiState> {
  const networks = (await w.http("GET", "/networks")).body as Array<{ Name: string; Id: string; Options?: Record<string, string> }>;
  const sandboxes = (await w.http("GET", "/sandboxes")).body as SandboxJson[];
  return { networks, sandboxes };
}

/** Published host ports the API shows for joined sandboxes, sorted. */
export function publishedPorts(state: ApiState): number[] {
  const ports = new Set<number>();
  for (const sb of state.sandboxes) {
    if (Object.keys(sb.Networks ?? {}).length === 0) continue;
    for (const list of Object.values(sb.Ports ?? {})) for (const b of list ?? []) ports.add(Number(b.HostPort));
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Compares the kernel of the host namespace (and /run/netns) with the API; returns every
 * difference as text (empty: consistent). Bridges, veths, namespaces, addresses in nft
 * elements and listening host-port sockets must all belong to something the API shows.
 */
export async function inconsistencies(
  w: NetdWorld,
  state: ApiState,
  prefix: string,
  testNamespaces: readonly string[],
  /** Host ports the test publishes (sockets outside it are not the test's). */
  hostPorts: { readonly start: number; readonly end: number } = { start: HOST_PORT_BASE, end: HOST_PORT_BASE + SANDBOXES - 1 },
): Promise<string[]> {
  const problems: string[] = [];
  const expect = (what: string, got: unknown, want: unknown): void => {
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${what}: kernel ${JSON.stringify(got)}, API ${JSON.stringify(want)}`);
  };
  const bridges = ((await w.host.ipJson(["link", "show", "type", "bridge"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
  // A network named by the bridge-name option (the default network `bridge` is netd0) keeps that name.
  expect("bridges", bridges, state.networks.map((n) => n.Options?.["com.docker.network.bridge.name"] ?? `br-${n.Id.slice(0, 12)}`).sort());
  const endpoints = state.sandboxes.flatMap((sb) => Object.values(sb.Networks ?? {}));
  // A leave answers once the host end is down and off the bridge; the veth itself goes in the
  // background (its delete waits ~20 ms for an RCU grace period, one after another). So the
  // veths that are up must match at once, and the rest must be gone within a few seconds.
  const hostVeths = async () => ((await w.host.ipJson(["link", "show", "type", "veth"])) as Array<{ ifname: string; flags?: string[] }>).filter((l) => l.ifname !== "up0");
  let veths = await hostVeths();
  expect("veths up", veths.filter((l) => l.flags?.includes("UP")).length, endpoints.length);
  for (const deadline = Date.now() + 10_000; veths.length > endpoints.length && Date.now() < deadline; veths = await hostVeths()) await new Promise((r) => setTimeout(r, 100));
  expect("veths (after background deletes, 10 s at most)", veths.length, endpoints.length);
  const netns = await w.host.exec(["ls", "/run/netns"]);
  const ours = netns.stdout.split("\n").filter((n) => n.startsWith(`${prefix}-`) && !testNamespaces.includes(n)).sort();
  expect("namespaces", ours, state.sandboxes.map((sb) => sb.Netns.replace("/run/netns/", "")).sort());
  const table = JSON.stringify((await w.host.nftJson(["list", "table", "inet", "netd"])) ?? {});
  const inNft = [...new Set(table.match(/10\.240\.\d+\.\d+/g) ?? [])].filter((a) => !a.endsWith(".0") && !a.endsWith(".1")).sort();
  // Every joined endpoint has elements (its guard at least) and nothing else may have any.
  expect("endpoint addresses in nft elements", inNft, [...new Set(endpoints.map((e) => e.IPAddress))].filter((a) => a !== "").sort());
  // The allocators: no address and no host port handed out twice.
  const addresses = endpoints.flatMap((e) => [e.IPAddress, e.GlobalIPv6Address]).filter((a) => a !== "");
  expect("duplicate endpoint addresses", addresses.length, new Set(addresses).size);
  // Per sandbox a port may show once per family; across sandboxes it must not repeat.
  const sandboxPorts = state.sandboxes.flatMap((sb) => (Object.keys(sb.Networks ?? {}).length === 0 ? [] : [...new Set(Object.values(sb.Ports ?? {}).flatMap((l) => (l ?? []).map((b) => b.HostPort)))]));
  expect("duplicate host ports", sandboxPorts.length, new Set(sandboxPorts).size);
  const ss = await w.host.exec(["ss", "-Hltn"]);
  const listening = [...new Set([...ss.stdout.matchAll(/:(\d+)\s/g)].map((m) => Number(m[1])).filter((p) => p >= hostPorts.start && p <= hostPorts.end))].sort((a, b) => a - b);
  expect("host-port sockets", listening, publishedPorts(state));
  return problems;
}

/** Sandboxes that are joined and publish a port. */
export function joinedWithPort(state: ApiState): SandboxJson[] {
  return state.sandboxes.filter((sb) => Object.keys(sb.Networks ?? {}).length > 0 && Object.values(sb.Ports ?? {}).some((l) => (l ?? []).length > 0));
}

/** An echo server in the sandbox's namespace, reached from the remote namespace through the published port. */
export async function trafficTo(w: NetdWorld, sb: SandboxJson, tag: string): Promise<void> {
  const port = Number(Object.values(sb.Ports).find((l) => (l ?? []).length > 0)![0]!.HostPort);
  const server = await w.env.spawnIn(w.host, ["nsenter", `--net=${sb.Netns}`, ...echoServerArgv(tag)]);
  try {
    await waitFor(`echo server in ${sb.Name}`, () => server.output().includes("listening"), () => server.output());
    const reply = await w.env.sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port, payload: sb.Name, timeoutMs: 3000 });
    expect(reply, `traffic to ${sb.Name} on ${HOST4}:${port}`).toBe(`${tag}:${sb.Name}`);
  } finally {
    await server.stop();
  }
}
