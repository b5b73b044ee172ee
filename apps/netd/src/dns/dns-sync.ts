/**
 * Keeps the daemon's DNS service in step with the Controller: after every network or
 * sandbox event (the routes emit them after the change and before they answer) the name
 * tables are rebuilt from the Controller's records, so a name is served, or gone, when
 * connect or disconnect returns. Also builds the resolv.conf netd recommends to a sandbox.
 */
import type { DriverCapabilities } from "@netd/driverapi";
import { DnsService, renderResolvConf, sandboxResolvConf } from "@netd/dns";
import type { DnsNetwork, DnsServiceOptions, ResolverOverrides } from "@netd/dns";
import type { Controller, NetworkRecord } from "@netd/libnet-core";
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

  private constructor(private readonly options: DnsSyncOptions) {
    this.service = new DnsService(options);
    this.unsubscribe = options.events.subscribe(() => void this.refresh().catch((e: unknown) => options.log?.warn("dns: refresh failed", { error: String(e) })));
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

  /** Rebuilds every table now (synchronously) and binds new networks' servers. */
  refresh(): Promise<void> {
    const { controller } = this.options;
    const networks: DnsNetwork[] = [];
    const sandboxes = new Map(controller.listSandboxes().map((s) => [s.id, s]));
    for (const n of controller.listNetworks()) {
      if (!this.serves(n)) continue;
      const entries = controller
        .listEndpoints({ networkId: n.id })
        .filter((e) => e.sandboxId !== null)
        .map((e) => {
          const sb = sandboxes.get(e.sandboxId!);
          return { names: sb ? [sb.name, ...e.aliases, sb.id.slice(0, 12)] : [...e.aliases], ipv4: e.ipv4, ipv6: e.ipv6, sandbox: e.sandboxId! };
        });
      networks.push({
        id: n.id,
        listen: [n.ipv4?.gateway, n.ipv6?.gateway].filter((g): g is string => typeof g === "string"),
        subnets: [n.ipv4?.subnet, n.ipv6?.subnet].filter((s): s is string => typeof s === "string"),
        forwarding: !n.internal,
        entries,
      });
    }
    this.last = this.service.update(networks);
    return this.last;
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

  /** Stops listening and following events. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.service.close();
  }
}
