/**
 * The DNS service of a daemon: one {@link NetworkServer} per network that offers DNS. The
 * daemon calls {@link DnsService.update} with every network's names after each change;
 * tables are swapped before its first await, so a name is served (or gone) as soon as the
 * call is made, and listeners for new networks are bound before the returned promise settles.
 */
import ipaddr from "ipaddr.js";
import type { Logger } from "@netd/driverapi";
import { Forwarder } from "../forward/forwarder.js";
import type { ResolvConf, UpstreamFiles } from "../forward/upstreams.js";
import { UpstreamSource } from "../forward/upstreams.js";
import type { QueryContext } from "../message/answer.js";
import type { NameEntry } from "../names/table.js";
import { NameTable, address, canonical } from "../names/table.js";
import { NetworkServer } from "./network-server.js";
import { ReplyCache } from "./reply-cache.js";

/** One network as the DNS service sees it. */
export interface DnsNetwork {
  readonly id: string;
  /** Where to listen: the network's gateway addresses (one per family). */
  readonly listen: readonly string[];
  /** The network's subnets (CIDR): only sources inside them are answered. */
  readonly subnets: readonly string[];
  /** False for internal networks: names are answered, nothing is forwarded. */
  readonly forwarding: boolean;
  readonly entries: readonly NameEntry[];
}

export interface DnsServiceOptions {
  /** Port to listen on; default 53 (tests and benchmarks may use another). */
  readonly port?: number;
  /** Where the host's resolver settings are read; default /etc/resolv.conf and resolved's file. */
  readonly upstreamFiles?: UpstreamFiles;
  /** Per-upstream timeout; default 2000 ms. */
  readonly upstreamTimeoutMs?: number;
  /** Upstream port; default 53. */
  readonly upstreamPort?: number;
  readonly log?: Logger;
}

interface Running {
  readonly key: string;
  readonly server: NetworkServer;
  context: ReplyCache;
}

export class DnsService {
  private readonly running = new Map<string, Running>();
  private readonly upstreams: UpstreamSource;
  private readonly forwarder: Forwarder;
  private turn = 0;
  /** Address -> the tables of every network its sandbox is on; rebuilt by each update. */
  private peers = new Map<string, NameTable[]>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: DnsServiceOptions = {}) {
    this.upstreams = new UpstreamSource(options.upstreamFiles);
    this.forwarder = new Forwarder({ upstreams: () => this.upstreams.get().nameservers, timeoutMs: options.upstreamTimeoutMs, port: options.upstreamPort });
  }

  /** The host's resolver settings (loopback servers replaced); what sandboxes without DNS networks get. */
  hostResolvConf(): ResolvConf {
    return this.upstreams.get();
  }

  /**
   * Makes `networks` the served set: swaps every table synchronously, then starts servers for
   * new networks (or changed gateways) and stops those of networks no longer listed.
   * Calls are serialised; bind failures are logged, not thrown (names elsewhere keep working).
   */
  update(networks: readonly DnsNetwork[]): Promise<void> {
    const starts: Array<{ id: string; key: string; context: ReplyCache }> = [];
    const rebinds: NetworkServer[] = [];
    const wanted = new Set<string>();
    const bySandbox = new Map<string, NameTable[]>();
    const sandboxOf = new Map<string, string>();
    for (const n of networks) {
      wanted.add(n.id);
      const query = this.contextFor(n);
      const context = new ReplyCache(query);
      for (const e of n.entries) {
        if (e.sandbox === undefined) continue;
        const list = bySandbox.get(e.sandbox) ?? [];
        list.push(query.table);
        bySandbox.set(e.sandbox, list);
        for (const ip of [address(e.ipv4), address(e.ipv6)]) if (ip) sandboxOf.set(canonical(ip), e.sandbox);
      }
      const key = `${n.listen.join(",")}`;
      const current = this.running.get(n.id);
      if (current && current.key === key) {
        current.context = context;
        rebinds.push(current.server);
      } else starts.push({ id: n.id, key, context });
    }
    this.peers = new Map([...sandboxOf].map(([ip, sb]) => [ip, bySandbox.get(sb) ?? []]));
    const stops = [...this.running.entries()].filter(([id, r]) => !wanted.has(id) || starts.some((s) => s.id === id && s.key !== r.key));
    for (const [id] of stops) this.running.delete(id);
    const step = async () => {
      await Promise.all(stops.map(([, r]) => r.server.stop()));
      // Addresses that could not be bound before (not yet configured) are tried again now.
      await Promise.all(rebinds.map((r) => r.start()));
      for (const s of starts) {
        const entry: Running = { key: s.key, context: s.context, server: null as unknown as NetworkServer };
        const server = new NetworkServer({
          addresses: s.key.split(",").filter((a) => a.length > 0),
          port: this.options.port ?? 53,
          forwarder: this.forwarder,
          context: () => entry.context,
          onError: (address, error) => this.options.log?.warn("dns: cannot serve on address", { network: s.id, address, error: String(error) }),
        });
        (entry as { server: NetworkServer }).server = server;
        this.running.set(s.id, entry);
        await server.start();
      }
    };
    this.chain = this.chain.then(step, step);
    return this.chain;
  }

  /** The addresses `networkId`'s server listens on now (none while not served or not yet bound). */
  listening(networkId: string): string[] {
    return this.running.get(networkId)?.server.listening() ?? [];
  }

  /** Stops every server. */
  async close(): Promise<void> {
    await this.update([]);
    this.forwarder.close();
  }

  private contextFor(n: DnsNetwork): QueryContext {
    const ranges = n.subnets.map((s) => ipaddr.parseCIDR(s));
    return {
      table: new NameTable(n.entries),
      forwarding: n.forwarding,
      peers: (source) => this.peers.get(canonical(source)) ?? [],
      turn: () => (this.turn = (this.turn + 1) % 0x7fffffff),
      inSubnets: (ip) => {
        if (!ipaddr.isValid(ip)) return false;
        const addr = ipaddr.process(ip);
        return ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as never));
      },
    };
  }
}
