/**
 * The DNS service of a daemon: one {@link NetworkServer} per network that offers DNS. The
 * daemon says which networks are served ({@link DnsService.configure}) and puts or deletes
 * one endpoint's names at a time ({@link DnsService.put}, {@link DnsService.delete}): a
 * change costs the same with 1 or 1,000 endpoints, and a name is served (or gone) as soon
 * as the call is made. Listeners for new networks are bound before configure's promise settles.
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

/** One served network's settings. */
export interface DnsNetworkSettings {
  readonly id: string;
  /** Where to listen: the network's gateway addresses (one per family). */
  readonly listen: readonly string[];
  /** The network's subnets (CIDR): only sources inside them are answered. */
  readonly subnets: readonly string[];
  /** False for internal networks: names are answered, nothing is forwarded. */
  readonly forwarding: boolean;
}

/** One network with all its names, for {@link DnsService.update}. */
export interface DnsNetwork extends DnsNetworkSettings {
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

interface Served {
  readonly settings: DnsNetworkSettings;
  readonly table: NameTable;
  readonly server: NetworkServer;
  cache: ReplyCache;
}

export class DnsService {
  private readonly served = new Map<string, Served>();
  private readonly upstreams: UpstreamSource;
  private readonly forwarder: Forwarder;
  private turn = 0;
  /** Canonical address -> the sandbox holding it (for a querier's other networks). */
  private readonly sandboxOf = new Map<string, string>();
  /** Sandbox -> network id -> entries it has there. */
  private readonly networksOf = new Map<string, Map<string, number>>();
  /** `${network}\0${key}` -> the sandbox and addresses indexed for that entry. */
  private readonly indexed = new Map<string, { sandbox: string; ips: string[] }>();
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
   * Makes `networks` the served set. A network served before with the same settings keeps its
   * names and listener (addresses that could not be bound before are tried again); a new one
   * starts empty; one with changed settings is restarted with its names; one not listed is
   * stopped and its names dropped. Calls are serialised; bind failures are logged, not thrown.
   */
  configure(networks: readonly DnsNetworkSettings[]): Promise<void> {
    const wanted = new Map(networks.map((n) => [n.id, n]));
    const stops: NetworkServer[] = [];
    const rebinds: NetworkServer[] = [];
    const starts: NetworkServer[] = [];
    for (const [id, s] of [...this.served]) {
      const next = wanted.get(id);
      if (next && sameSettings(s.settings, next)) {
        rebinds.push(s.server);
        continue;
      }
      stops.push(s.server);
      if (!next) for (const key of [...s.table.keys()]) this.delete(id, key);
      this.served.delete(id);
      if (next) starts.push(this.serve(next, s.table).server);
    }
    for (const n of networks) if (!this.served.has(n.id)) starts.push(this.serve(n, new NameTable()).server);
    this.forgetReplies();
    const step = async () => {
      await Promise.all(stops.map((server) => server.stop()));
      await Promise.all(rebinds.map((server) => server.start()));
      for (const server of starts) await server.start();
    };
    this.chain = this.chain.then(step, step);
    return this.chain;
  }

  /** Serves `entry` on `networkId` under `key` (replacing what `key` held); ignored for a network not served. */
  put(networkId: string, key: string, entry: NameEntry): void {
    const s = this.served.get(networkId);
    if (!s) return;
    this.unindex(networkId, key);
    s.table.put(key, entry);
    if (entry.sandbox !== undefined) {
      const ips = [address(entry.ipv4), address(entry.ipv6)].filter((ip): ip is string => ip !== null).map(canonical);
      for (const ip of ips) this.sandboxOf.set(ip, entry.sandbox);
      const nets = this.networksOf.get(entry.sandbox) ?? new Map<string, number>();
      nets.set(networkId, (nets.get(networkId) ?? 0) + 1);
      this.networksOf.set(entry.sandbox, nets);
      this.indexed.set(`${networkId}\0${key}`, { sandbox: entry.sandbox, ips });
    }
    this.forgetReplies();
  }

  /** Stops serving what `key` holds on `networkId`. */
  delete(networkId: string, key: string): void {
    this.unindex(networkId, key);
    this.served.get(networkId)?.table.delete(key);
    this.forgetReplies();
  }

  /**
   * Makes `networks` the served set with exactly their entries (a whole-state replacement;
   * the daemon uses configure, put and delete).
   */
  update(networks: readonly DnsNetwork[]): Promise<void> {
    const done = this.configure(networks);
    for (const n of networks) {
      const keys = n.entries.map((_, i) => `#${i}`);
      for (const key of [...this.served.get(n.id)!.table.keys()]) if (!keys.includes(key)) this.delete(n.id, key);
      n.entries.forEach((e, i) => this.put(n.id, `#${i}`, e));
    }
    return done;
  }

  /** The addresses `networkId`'s server listens on now (none while not served or not yet bound). */
  listening(networkId: string): string[] {
    return this.served.get(networkId)?.server.listening() ?? [];
  }

  /** Stops every server. */
  async close(): Promise<void> {
    await this.configure([]);
    this.forwarder.close();
  }

  private serve(settings: DnsNetworkSettings, table: NameTable): Served {
    const query = this.contextFor(settings, table);
    const served: Served = {
      settings,
      table,
      cache: new ReplyCache(query),
      server: new NetworkServer({
        addresses: settings.listen,
        port: this.options.port ?? 53,
        forwarder: this.forwarder,
        context: () => served.cache,
        onError: (address, error) => this.options.log?.warn("dns: cannot serve on address", { network: settings.id, address, error: String(error) }),
      }),
    };
    this.served.set(settings.id, served);
    return served;
  }

  private unindex(networkId: string, key: string): void {
    const id = `${networkId}\0${key}`;
    const old = this.indexed.get(id);
    if (!old) return;
    this.indexed.delete(id);
    for (const ip of old.ips) if (this.sandboxOf.get(ip) === old.sandbox) this.sandboxOf.delete(ip);
    const nets = this.networksOf.get(old.sandbox)!;
    const left = nets.get(networkId)! - 1;
    if (left > 0) nets.set(networkId, left);
    else nets.delete(networkId);
    if (nets.size === 0) this.networksOf.delete(old.sandbox);
  }

  /** Cached replies may name anything that changed (a querier sees its other networks too). */
  private forgetReplies(): void {
    for (const s of this.served.values()) s.cache = new ReplyCache(s.cache.context);
  }

  private peers(source: string): NameTable[] {
    const sandbox = this.sandboxOf.get(canonical(source));
    const nets = sandbox === undefined ? undefined : this.networksOf.get(sandbox);
    if (!nets) return [];
    const tables: NameTable[] = [];
    for (const id of nets.keys()) {
      const s = this.served.get(id);
      if (s) tables.push(s.table);
    }
    return tables;
  }

  private contextFor(n: DnsNetworkSettings, table: NameTable): QueryContext {
    const ranges = n.subnets.map((s) => ipaddr.parseCIDR(s));
    return {
      table,
      forwarding: n.forwarding,
      peers: (source) => this.peers(source),
      turn: () => (this.turn = (this.turn + 1) % 0x7fffffff),
      inSubnets: (ip) => {
        if (!ipaddr.isValid(ip)) return false;
        const addr = ipaddr.process(ip);
        return ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as never));
      },
    };
  }
}

function sameSettings(a: DnsNetworkSettings, b: DnsNetworkSettings): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.listen, b.listen) && same(a.subnets, b.subnets) && a.forwarding === b.forwarding;
}
