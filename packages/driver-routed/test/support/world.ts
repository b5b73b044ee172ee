/**
 * Integration world for the routed driver: the stack (bridge + routed drivers in one
 * Controller, routed-agent.mjs) runs in the test's "host" namespace; a "remote" namespace
 * hangs off the host's uplink and routes the container subnets (10.33.0.0/16,
 * fd00:33::/32) via the host, like a remote host on the LAN:
 *
 *   remote eth0 198.51.100.2/24, 2001:db8:33::2/64  ── veth ──  host up0 198.51.100.1/24, 2001:db8:33::1/64
 *
 * Sandboxes are namespaces the test env makes (cleanup owns them). Nothing touches the
 * root namespace.
 */
import { fileURLToPath } from "node:url";
import type { PortBinding } from "@netd/driverapi";
import { linkNetns } from "@netd/testing";
import type { Agent, TestEnv, TestNetns } from "@netd/testing";

export const HOST4 = "198.51.100.1";
export const HOST6 = "2001:db8:33::1";
export const REMOTE4 = "198.51.100.2";
export const REMOTE6 = "2001:db8:33::2";

export interface Endpoint {
  readonly id: string;
  readonly ipv4: string | null;
  readonly ipv6: string | null;
}

export interface World {
  readonly env: TestEnv;
  readonly host: TestNetns;
  readonly remote: TestNetns;
  readonly agent: Agent;
  /** A dual-stack network 10.33.x.0/24 + fd00:33:x::/64 of `driver` with bridge `br-<prefix>-<x>`. */
  network(name: string, x: number, driver: "bridge" | "routed", options?: Record<string, string>): Promise<void>;
  sandbox(name: string, portBindings?: PortBinding[]): Promise<{ id: string; ns: TestNetns }>;
  connect(network: string, sandbox: string, config?: Record<string, unknown>): Promise<Endpoint>;
  /** `ping -c1 -W1` from `ns`; true when a reply came. */
  ping(ns: TestNetns, address: string): Promise<boolean>;
  /** Elements of one set of netd's nft tables in the host namespace, sorted ([] when empty). */
  setElements(table: string, set: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function must(ns: TestNetns, argv: readonly string[]): Promise<string> {
  const r = await ns.exec(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} in ${ns.name} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

export const tcp = (containerPort: number, hostPort = 0, hostIp: string | null = null): PortBinding => ({ protocol: "tcp", containerPort, hostIp, hostPortStart: hostPort, hostPortEnd: hostPort });
export const udp = (containerPort: number, hostPort = 0, hostIp: string | null = null): PortBinding => ({ ...tcp(containerPort, hostPort, hostIp), protocol: "udp" });

/** Creates host + remote (with routes to the container subnets), starts the agent and opens the stack. */
export async function openWorld(env: TestEnv, options: { userlandProxy?: boolean } = {}): Promise<World> {
  const host = await env.netns("host");
  const remote = await env.netns("remote");
  await linkNetns({ ns: host, name: "up0", addresses: [`${HOST4}/24`, `${HOST6}/64`] }, { ns: remote, name: "eth0", addresses: [`${REMOTE4}/24`, `${REMOTE6}/64`] });
  await must(remote, ["ip", "route", "add", "10.33.0.0/16", "via", HOST4]);
  await must(remote, ["ip", "-6", "route", "add", "fd00:33::/32", "via", HOST6]);
  await must(host, ["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
  const agent = await env.startAgent(host, fileURLToPath(new URL("./routed-agent.mjs", import.meta.url)));
  await agent.call("open", { netnsPrefix: `${env.prefix}-`, userlandProxy: options.userlandProxy ?? true });
  const strip = (a: string | null): string | null => (a === null ? null : (a.split("/")[0] ?? null));
  return {
    env,
    host,
    remote,
    agent,
    async network(name, x, driver, opts = {}) {
      await agent.call("createNetwork", {
        name,
        driver,
        enableIPv6: true,
        options: { "com.docker.network.bridge.name": `br-${env.prefix}-${x}`.slice(0, 15), ...opts },
        ipam: { ipv4: { subnet: `10.33.${x}.0/24` }, ipv6: { subnet: `fd00:33:${x}::/64` } },
      });
    },
    async sandbox(name, portBindings = []) {
      const ns = await env.netns(name);
      const sb = await agent.call<{ id: string }>("createSandbox", { name, portBindings, netns: ns.path });
      return { id: sb.id, ns };
    },
    async connect(network, sandbox, config = {}) {
      const ep = await agent.call<{ id: string; ipv4: string | null; ipv6: string | null }>("connect", network, sandbox, config);
      return { id: ep.id, ipv4: strip(ep.ipv4), ipv6: strip(ep.ipv6) };
    },
    async ping(ns, address) {
      return (await ns.exec(["ping", "-c1", "-W1", address])).code === 0;
    },
    async setElements(table, set) {
      const json = (await host.nftJson(["list", "set", "inet", table, set])) as { nftables: Array<Record<string, { elem?: unknown[] }>> } | null;
      const elems = json?.nftables.find((i) => i.set)?.set?.elem ?? [];
      const text = (e: unknown): string => {
        const c = (e as { concat?: unknown[] }).concat;
        return Array.isArray(c) ? c.map((x) => (typeof x === "string" || typeof x === "number" ? String(x) : JSON.stringify(x))).join(" . ") : JSON.stringify(e);
      };
      return elems.map(text).sort();
    },
    close: () => agent.call("close"),
  };
}
