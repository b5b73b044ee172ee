/**
 * Integration-test world for the bridge driver: the whole stack runs in an agent inside the
 * test's "host" namespace (bridge-agent.mjs), sandboxes are namespaces netd creates, and an
 * optional "remote" namespace hangs off the host's uplink `up0`:
 *
 *   remote eth0 198.51.100.2/24, 2001:db8:31::2/64  ── veth ──  host up0 198.51.100.1/24, 2001:db8:31::1/64
 *
 * Everything lives in namespaces of the test env; nothing touches the root namespace.
 */
import { fileURLToPath } from "node:url";
import { linkNetns } from "@netd/testing";
import type { Agent, TestEnv, TestNetns } from "@netd/testing";

export const HOST_UPLINK4 = "198.51.100.1";
export const HOST_UPLINK6 = "2001:db8:31::1";
export const REMOTE4 = "198.51.100.2";
export const REMOTE6 = "2001:db8:31::2";

export interface World {
  readonly env: TestEnv;
  readonly host: TestNetns;
  readonly agent: Agent;
  /** Present when `remote: true` was asked for. */
  readonly remote: TestNetns | null;
  /**
   * Creates a sandbox in a namespace the test env makes (`<prefix>-<name>`, so cleanup owns
   * it and names in failures are readable) and returns its id and the namespace.
   */
  sandbox(name: string, request?: Record<string, unknown>): Promise<{ id: string; ns: TestNetns }>;
  /** Runs argv in the host namespace and fails on a non-zero exit. */
  hostRun(argv: readonly string[]): Promise<string>;
}

/** A TestNetns for a namespace netd created: commands run through `ip netns exec NAME`. */
export function netdNetns(host: TestNetns, path: string): TestNetns {
  const name = path.split("/").pop()!;
  const must = async (argv: readonly string[]): Promise<string> => {
    const r = await host.exec(argv);
    if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  return {
    name,
    path,
    exec: (argv, options) => host.exec(["ip", "netns", "exec", name, ...argv], options),
    ipJson: async (args) => {
      const out = await must(["ip", "-n", name, "-j", ...args]);
      return out.trim() === "" ? [] : (JSON.parse(out) as unknown);
    },
    nftJson: async (args) => {
      const r = await host.exec(["ip", "netns", "exec", name, "nft", "-j", ...args]);
      if (r.code !== 0) {
        if (/No such file/i.test(r.stderr)) return null;
        throw new Error(`nft -j ${args.join(" ")} in ${name}: ${r.stderr.trim()}`);
      }
      return JSON.parse(r.stdout) as unknown;
    },
  };
}

/** Opens the stack in a fresh host namespace; `remote` adds the uplink and remote namespace. */
export async function openWorld(env: TestEnv, options: { userlandProxy?: boolean; remote?: boolean; forwarding?: boolean } = {}): Promise<World> {
  const host = await env.netns("host");
  const run = async (ns: TestNetns, argv: readonly string[]): Promise<string> => {
    const r = await ns.exec(argv);
    if (r.code !== 0) throw new Error(`${argv.join(" ")} in ${ns.name} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  let remote: TestNetns | null = null;
  if (options.remote) {
    remote = await env.netns("remote");
    await linkNetns({ ns: host, name: "up0", addresses: [`${HOST_UPLINK4}/24`, `${HOST_UPLINK6}/64`] }, { ns: remote, name: "eth0", addresses: [`${REMOTE4}/24`, `${REMOTE6}/64`] });
  }
  if (options.forwarding ?? true) {
    await run(host, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    await run(host, ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"]);
  }
  const agent = await env.startAgent(host, fileURLToPath(new URL("./bridge-agent.mjs", import.meta.url)));
  await agent.call("open", { netnsPrefix: `${env.prefix}-`, userlandProxy: options.userlandProxy ?? true });
  return {
    env,
    host,
    agent,
    remote,
    async sandbox(name, request = {}) {
      const ns = await env.netns(name);
      const sb = await agent.call<{ id: string; netns: string }>("createSandbox", { name, netns: ns.path, ...request });
      return { id: sb.id, ns };
    },
    hostRun: (argv) => run(host, argv),
  };
}

/**
 * `ip -j link` + `ip -j addr` of a namespace, without counters that change on their own.
 * `ignoreCarrier` also drops carrier-derived fields (LOWER_UP, operstate): a bridge whose
 * last port was added and removed again reports NO-CARRIER although it never had one before,
 * and addrconf gives it its IPv6 link-local address (scope link) only once carrier came up.
 */
export async function linkState(ns: TestNetns, options: { ignoreCarrier?: boolean } = {}): Promise<unknown> {
  const strip = (list: unknown): unknown =>
    (list as Array<Record<string, unknown>>).map((l) => {
      const { stats64: _s, ...rest } = l;
      void _s;
      if (options.ignoreCarrier) {
        delete rest.operstate;
        if (Array.isArray(rest.flags)) rest.flags = (rest.flags as string[]).filter((f) => f !== "LOWER_UP" && f !== "NO-CARRIER");
      }
      if (Array.isArray(rest.addr_info)) {
        rest.addr_info = (rest.addr_info as Array<Record<string, unknown>>)
          .filter((a) => !(options.ignoreCarrier && a.scope === "link"))
          // `tentative` is DAD in progress (about 1 s after a link comes up): a snapshot taken
          // right after a join may catch it and the next one not, with nothing changed.
          .map(({ valid_life_time: _v, preferred_life_time: _p, tentative: _t, ...a }) => (void _v, void _p, void _t, a));
      }
      return rest;
    });
  return { links: strip(await ns.ipJson(["link"])), addrs: strip(await ns.ipJson(["addr"])) };
}
