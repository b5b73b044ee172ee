/**
 * `GET /sandboxes/{id}/resolv.conf`: the resolv.conf netd recommends for a sandbox (text).
 * Nameservers are the gateways of its networks with DNS (else the host's servers); the
 * sandbox's `--dns`, `--dns-search`, `--dns-option` (HostConfig Dns, DnsSearch, DnsOptions
 * at create) replace them with Docker's meanings. Those settings are kept as the sandbox's
 * labels {@link DNS_LABELS}, so they live as long as the sandbox, across restarts.
 */
import { isIP } from "node:net";
import { invalidArgument } from "@netd/driverapi";
import type { ResolverOverrides } from "@netd/dns";
import { z } from "zod";
import type { ApiApp, ApiDeps } from "../app-types.js";
import { ErrorBody, IdParams } from "../schemas/common.js";

/** Label keys holding a sandbox's resolver settings (space-separated lists). */
export const DNS_LABELS = { dns: "com.netd.dns.servers", dnsSearch: "com.netd.dns.search", dnsOptions: "com.netd.dns.options" } as const;

/** Docker's HostConfig resolver fields as labels; validates the servers first. */
export function dnsLabels(h: { Dns?: string[] | null; DnsSearch?: string[] | null; DnsOptions?: string[] | null } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of h?.Dns ?? []) {
    if (isIP(s) === 0) throw invalidArgument(`DNS server '${s}' is not an IP address`, "give --dns an IPv4 or IPv6 address");
  }
  for (const v of [...(h?.DnsSearch ?? []), ...(h?.DnsOptions ?? [])]) {
    if (!/^\S+$/.test(v)) throw invalidArgument(`resolver setting '${v}' is empty or has white space`, "give one search domain or option per flag");
  }
  if (h?.Dns?.length) out[DNS_LABELS.dns] = h.Dns.join(" ");
  if (h?.DnsSearch?.length) out[DNS_LABELS.dnsSearch] = h.DnsSearch.join(" ");
  if (h?.DnsOptions?.length) out[DNS_LABELS.dnsOptions] = h.DnsOptions.join(" ");
  return out;
}

function overrides(labels: Readonly<Record<string, string>>): ResolverOverrides {
  const list = (key: string) => (labels[key] ?? "").split(" ").filter((s) => s.length > 0);
  return { dns: list(DNS_LABELS.dns), dnsSearch: list(DNS_LABELS.dnsSearch), dnsOptions: list(DNS_LABELS.dnsOptions) };
}

/** Registers the route (only when the daemon runs a DNS service). */
export function dnsRoutes(app: ApiApp, deps: ApiDeps): void {
  const { controller, dns } = deps;
  if (!dns) return;
  app.get("/sandboxes/:id/resolv.conf", { schema: { tags: ["sandboxes"], params: IdParams, response: { 200: z.string(), 404: ErrorBody } } }, async (req, reply) => {
    const sb = controller.getSandbox(req.params.id);
    return reply.type("text/plain; charset=utf-8").send(dns.resolvConf(sb.id, overrides(sb.labels)));
  });
}
