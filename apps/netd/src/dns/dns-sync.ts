/**
 * Keeps the daemon's DNS service in step with the Controller: after every network or
 * sandbox event (the routes emit them after the change and before they answer) the
 * Controller's records are compared with those last served, and only the endpoints whose
 * record changed are put or deleted (records are immutable: a change is a new object), so a
 * name is served, or gone, when connect or disconnect returns, at the same cost with 1 or
 * 1,000 sandboxes. Also builds the resolv.conf netd recommends to a sandbox.
 */
import type { DriverCapabilities } from "@netd/driverapi";
import { DnsService, renderResolvConf, sandboxResolvConf } from "@netd/dns";
import type { DnsNetworkSettings, DnsServiceOptions, NameEntry, ResolverOverrides } from "@netd/dns";
import type { Controller, EndpointRecord, NetworkRecord } from "@netd/libnet-core";
import type { EventBus } from "../api/events.js";

/** The network option that turns DNS off (`-o com.netd.dns=false`). */
export const DNS_OPTION = "com.netd.dns";
const FALSE = ["0", "f", "F", "false", "FALSE", "False"];

export interface DnsSyncOptions extends DnsServiceOptions {
  readonly controller: Controller;
  /** Capabilities by driver name: only drivers with `offersDns` get a DNS server. */
  readonly capabilities: ReadonlyMap<string, DriverCapabilities>;
  readonly events: EventBus;
}

export class DnsSync {
  private readonly service: DnsService;
  private readonly unsubscribe: () => void;
  private last: Promise<void> = Promise.resolve();
  /** The served networks' records as last configured. */
  private networks = new Map<string, NetworkRecord>();
  /** Endpoint id -> the record whose names are served, and the refresh that last saw it. */
  private readonly endpoints = new Map<string, { record: EndpointRecord; seen: number }>();
  /** Sandbox id -> the ids of its endpoints in `endpoints`. */
  private readonly bySandbox = new Map<string, Set<string>>();
  private generation = 0;

  private constructor(private readonly options: DnsSyncOptions) {
    this.service = new DnsService(options);
    this.unsubscribe = options.events.subscribe((e) => {
      // The proxy's and the daemon's own events change no names.
      if (e.Type !== "network" && e.Type !== "sandbox") return;
      // These change only the endpoints of one sandbox; network create, destroy and prune, all.
      const sandboxId = e.Type === "sandbox" ? e.Actor.ID : e.Action === "connect" || e.Action === "disconnect" ? e.Actor.Attributes["container"] : undefined;
      void this.refresh(sandboxId).catch((error: unknown) => options.log?.warn("dns: refresh failed", { error: String(error) }));
    });
  }

  /** Starts serving the current networks; resolves when their servers are bound. */
  static async start(options: DnsSyncOptions): Promise<DnsSync> {
    const sync = new DnsSync(options);
    await sync.refresh();
    return sync;
  }

  /** True when netd serves DNS on `network`'s gateways. */
  serves(network: NetworkRecord): boolean {
    const dnsOff = FALSE.includes(network.options[DNS_OPTION] ?? "");
    return !dnsOff && this.options.capabilities.get(network.driver)?.offersDns === true && (network.ipv4?.gateway != null || network.ipv6?.gateway != null);
  }

  /**
   * Brings the served names in line with the Controller now (synchronously) and binds new
   * networks' servers. With `sandboxId`, only that sandbox's endpoints are compared (a connect,
   * disconnect, create or delete changes no other), unless the served networks changed: O(its
   * endpoints) instead of O(all endpoints) per event.
   */
  refresh(sandboxId?: string): Promise<void> {
    const { controller } = this.options;
    const served = new Map(controller.listNetworks().filter((n) => this.serves(n)).map((n) => [n.id, n]));
    if (served.size !== this.networks.size || [...served].some(([id, n]) => this.networks.get(id) !== n)) {
      // A network whose record changed is served afresh: forget its endpoints so they are put again.
      for (const [id, e] of this.endpoints) if (served.get(e.record.networkId) !== this.networks.get(e.record.networkId)) this.forget(id);
      this.networks = served;
      this.last = this.service.configure([...served.values()].map(settingsOf));
      sandboxId = undefined;
    }
    const generation = ++this.generation;
    for (const e of controller.listEndpoints(sandboxId === undefined ? {} : { sandboxId })) {
      if (e.sandboxId === null || !served.has(e.networkId)) continue;
      const known = this.endpoints.get(e.id);
      if (known?.record !== e) {
        const entry = this.entryOf(e);
        if (known && known.record.networkId !== e.networkId) this.service.delete(known.record.networkId, e.id);
        this.service.put(e.networkId, e.id, entry);
      }
      this.remember(e, generation);
    }
    const candidates = sandboxId === undefined ? [...this.endpoints.keys()] : [...(this.bySandbox.get(sandboxId) ?? [])];
    for (const id of candidates) {
      const known = this.endpoints.get(id);
      if (known === undefined || known.seen === generation) continue;
      this.service.delete(known.record.networkId, id);
      this.forget(id);
    }
    return this.last;
  }

  private remember(e: EndpointRecord, generation: number): void {
    const old = this.endpoints.get(e.id);
    if (old && old.record.sandboxId !== e.sandboxId) this.bySandbox.get(old.record.sandboxId!)?.delete(e.id);
    this.endpoints.set(e.id, { record: e, seen: generation });
    let ids = this.bySandbox.get(e.sandboxId!);
    if (ids === undefined) this.bySandbox.set(e.sandboxId!, (ids = new Set()));
    ids.add(e.id);
  }

  private forget(id: string): void {
    const old = this.endpoints.get(id);
    if (old === undefined) return;
    this.endpoints.delete(id);
    const ids = this.bySandbox.get(old.record.sandboxId!);
    ids?.delete(id);
    if (ids?.size === 0) this.bySandbox.delete(old.record.sandboxId!);
  }

  /** Settles when the last refresh has bound or released its listeners. */
  settled(): Promise<void> {
    return this.last.catch(() => undefined);
  }

  /** The addresses `networkId`'s DNS server listens on; empty when netd serves no DNS there. */
  servers(networkId: string): readonly string[] {
    const n = this.options.controller.listNetworks().find((x) => x.id === networkId);
    return n && this.serves(n) ? this.service.listening(networkId) : [];
  }

  /** The resolv.conf text netd recommends for a sandbox: its DNS networks' gateways, or the host's servers. */
  resolvConf(sandboxId: string, overrides: ResolverOverrides = {}): string {
    const { controller } = this.options;
    const servers: string[] = [];
    for (const e of controller.listEndpoints({ sandboxId })) {
      const n = controller.getNetwork(e.networkId);
      if (!this.serves(n)) continue;
      // Only addresses actually served (a bridge with inhibit_ipv4 has no IPv4 gateway address to bind).
      const served = this.service.listening(n.id);
      if (e.ipv4 && n.ipv4?.gateway && served.includes(n.ipv4.gateway)) servers.push(n.ipv4.gateway);
      if (e.ipv6 && n.ipv6?.gateway && served.includes(n.ipv6.gateway)) servers.push(n.ipv6.gateway);
    }
    return renderResolvConf(sandboxResolvConf(servers, this.service.hostResolvConf(), overrides));
  }

  private entryOf(e: EndpointRecord): NameEntry {
    const sb = this.sandboxOf(e.sandboxId!);
    return { names: sb ? [sb.name, ...e.aliases, sb.id.slice(0, 12)] : [...e.aliases], ipv4: e.ipv4, ipv6: e.ipv6, sandbox: e.sandboxId! };
  }

  private sandboxOf(id: string): { name: string; id: string } | undefined {
    try {
      return this.options.controller.getSandbox(id);
    } catch {
      return undefined;
    }
  }

  /** Stops listening and following events. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.service.close();
  }
}

function settingsOf(n: NetworkRecord): DnsNetworkSettings {
  return {
    id: n.id,
    listen: [n.ipv4?.gateway, n.ipv6?.gateway].filter((g): g is string => typeof g === "string"),
    subnets: [n.ipv4?.subnet, n.ipv6?.subnet].filter((s): s is string => typeof s === "string"),
    forwarding: !n.internal,
  };
}
