/**
 * /metrics gauges of the userland proxy: whether it runs, how often this daemon restarted
 * it, and per binding (protocol, host address and port) its connections, flows and bytes.
 */
import type { DaemonProxy } from "./userland-proxy.js";

/** One gauge family as Metrics.render takes it. */
export interface Gauge {
  readonly name: string;
  readonly help: string;
  readonly values: ReadonlyArray<{ labels?: Record<string, string>; value: number }>;
}

/** Reads the proxy's counters; a proxy that does not answer reports netd_proxy_up 0 and no bindings. */
export async function proxyGauges(p: DaemonProxy): Promise<Gauge[]> {
  const stats = await p.proxy.stats().catch(() => null);
  const per = (pick: (s: NonNullable<typeof stats>[number]) => number, extra: Record<string, string> = {}) =>
    (stats ?? []).map((s) => ({ labels: { protocol: s.protocol, host_ip: s.hostIp, host_port: String(s.hostPort), ...extra }, value: pick(s) }));
  return [
    { name: "netd_proxy_up", help: "1 when the userland proxy process answers.", values: [{ value: stats ? 1 : 0 }] },
    { name: "netd_proxy_restarts", help: "Times this daemon started the userland proxy again after it died.", values: [{ value: p.restarts() }] },
    { name: "netd_proxy_bindings", help: "Published ports served by the userland proxy.", values: [{ value: stats?.length ?? 0 }] },
    { name: "netd_proxy_connections", help: "TCP connections accepted per binding (since the proxy process started).", values: per((s) => s.connections) },
    { name: "netd_proxy_active_connections", help: "TCP connections open now per binding.", values: per((s) => s.activeConnections) },
    { name: "netd_proxy_refused_connections", help: "TCP connections the container refused per binding (client got RST).", values: per((s) => s.refused) },
    { name: "netd_proxy_udp_flows", help: "UDP flows open now per binding.", values: per((s) => s.flows) },
    { name: "netd_proxy_bytes", help: "Bytes forwarded per binding and direction (in: client to container).", values: [...per((s) => s.bytesIn, { direction: "in" }), ...per((s) => s.bytesOut, { direction: "out" })] },
    { name: "netd_proxy_packets", help: "UDP datagrams forwarded per binding and direction.", values: [...per((s) => s.packetsIn, { direction: "in" }), ...per((s) => s.packetsOut, { direction: "out" })] },
  ];
}
