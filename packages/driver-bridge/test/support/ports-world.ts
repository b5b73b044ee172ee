// Integration world for the port-publishing tests: a "host" namespace running the stack
// through the agent, a "remote" namespace linked to it, and handles for the sandboxes netd
// creates. Everything lives in the test env's namespaces; subnets 10.32.x.0/24, fd00:32:x::/64.
import { fileURLToPath } from "node:url";
import { linkNetns } from "@netd/testing";
import type { Agent, TestEnv, TestNetns } from "@netd/testing";
import type { PortBinding } from "@netd/driverapi";

export const HOST4 = "198.51.100.1";
export const HOST6 = "2001:db8:32::1";
export const REMOTE4 = "198.51.100.2";
export const REMOTE6 = "2001:db8:32::2";

export interface World {
  readonly host: TestNetns;
  readonly remote: TestNetns;
  readonly agent: Agent;
  sandbox(name: string, portBindings: PortBinding[]): Promise<{ id: string; ns: TestNetns }>;
  connect(network: string, sandbox: string, config?: Record<string, unknown>): Promise<{ id: string; ipv4: string | null; ipv6: string | null }>;
  network(name: string, x: number, v4: boolean, v6: boolean, options?: Record<string, string>): Promise<void>;
}

async function ok(ns: TestNetns, argv: string[]): Promise<void> {
  const r = await ns.exec(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} in ${ns.name}: ${r.stderr.trim()}`);
}

/** Creates host + remote, starts the agent in host and opens the stack (proxy: netd-proxy unless `proxyProcess` is false). */
export async function makeWorld(env: TestEnv, options: { userlandProxy: boolean; proxyProcess?: boolean }): Promise<World> {
  const host = await env.netns("host");
  const remote = await env.netns("remote");
  await linkNetns({ ns: host, name: "up0", addresses: [`${HOST4}/24`, `${HOST6}/64`] }, { ns: remote, name: "eth0", addresses: [`${REMOTE4}/24`, `${REMOTE6}/64`] });
  await ok(host, ["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
  const agent = await env.startAgent(host, fileURLToPath(new URL("./bridge-agent.mjs", import.meta.url)));
  await agent.call("open", { netnsPrefix: `${env.prefix}-`, userlandProxy: options.userlandProxy, proxyProcess: options.proxyProcess ?? true });
  return {
    host,
    remote,
    agent,
    async network(name, x, v4, v6, opts = {}) {
      await agent.call("createNetwork", {
        name,
        enableIPv4: v4,
        enableIPv6: v6,
        options: opts,
        ipam: { ...(v4 ? { ipv4: { subnet: `10.32.${x}.0/24` } } : {}), ...(v6 ? { ipv6: { subnet: `fd00:32:${x}::/64` } } : {}) },
      });
    },
    async sandbox(name, portBindings) {
      // The test makes the namespace: one that netd bind-mounts inside the agent (which runs
      // under `ip netns exec`, a slave mount namespace) does not propagate back to the test.
      const ns = await env.netns(name);
      const sb = await agent.call<{ id: string }>("createSandbox", { name, portBindings, netns: ns.path });
      return { id: sb.id, ns };
    },
    async connect(network, sandbox, config = {}) {
      const ep = await agent.call<{ id: string; ipv4: string | null; ipv6: string | null }>("connect", network, sandbox, config);
      const strip = (a: string | null) => (a === null ? null : a.split("/")[0] ?? null);
      return { id: ep.id, ipv4: strip(ep.ipv4), ipv6: strip(ep.ipv6) };
    },
  };
}

export const tcpPb = (containerPort: number, hostPort = 0, hostIp: string | null = null): PortBinding => ({
  protocol: "tcp",
  containerPort,
  hostIp,
  hostPortStart: hostPort,
  hostPortEnd: hostPort,
});
export const udpPb = (containerPort: number, hostPort = 0, hostIp: string | null = null): PortBinding => ({ ...tcpPb(containerPort, hostPort, hostIp), protocol: "udp" });
