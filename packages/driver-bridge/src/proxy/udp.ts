/**
 * UDP proxying: one bound socket per binding and one connected upstream socket per client
 * flow, dropped after {@link UDP_IDLE_MS} without traffic in either direction.
 *
 * Replies leave through the listening socket. When the binding names a host address, that
 * socket is bound to it, so replies come from the address the client sent to. For a
 * wildcard binding (0.0.0.0 or ::) the kernel chooses the source by routing: Node cannot
 * set IP_PKTINFO / IPV6_RECVPKTINFO, so a client that sent to a secondary address of the
 * host may see the reply come from the primary one (documented limitation).
 */
import type { Socket as DgramSocket } from "node:dgram";
import { createSocket } from "node:dgram";
import type { ProxySpec } from "./types.js";

/** Idle timeout of a UDP flow, as docker-proxy. */
export const UDP_IDLE_MS = 90_000;
/** Flows per listener; datagrams of new clients beyond it are dropped until one expires. */
export const UDP_MAX_FLOWS = 4096;

interface Flow {
  readonly upstream: DgramSocket;
  timer: NodeJS.Timeout;
}

/** A bound UDP proxy. */
export interface UdpProxy {
  close(): Promise<void>;
  /** Live client flows (for tests and metrics). */
  flowCount(): number;
}

/** Binds spec.hostIp:hostPort and forwards datagrams per client flow. `idleMs` is for tests. */
export function listenUdp(spec: ProxySpec, idleMs = UDP_IDLE_MS): Promise<UdpProxy> {
  const v6 = spec.hostIp.includes(":");
  const listener = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: v6 });
  const flows = new Map<string, Flow>();
  const upstreamType = spec.containerIp.includes(":") ? "udp6" : "udp4";

  const drop = (key: string): void => {
    const flow = flows.get(key);
    if (!flow) return;
    flows.delete(key);
    clearTimeout(flow.timer);
    flow.upstream.close();
  };

  const flowFor = (address: string, port: number): Flow | null => {
    const key = `${address}|${port}`;
    const existing = flows.get(key);
    if (existing) {
      existing.timer.refresh();
      return existing;
    }
    if (flows.size >= UDP_MAX_FLOWS) return null;
    const upstream = createSocket(upstreamType);
    const flow: Flow = { upstream, timer: setTimeout(() => drop(key), idleMs) };
    flow.timer.unref();
    upstream.on("message", (msg, from) => {
      // Not connect()ed (a connecting socket refuses sends), so filter the source here.
      if (from.port !== spec.containerPort) return;
      flow.timer.refresh();
      listener.send(msg, port, address);
    });
    upstream.on("error", () => drop(key));
    flows.set(key, flow);
    return flow;
  };

  listener.on("message", (msg, rinfo) => {
    const flow = flowFor(rinfo.address, rinfo.port);
    if (!flow) return;
    flow.upstream.send(msg, spec.containerPort, spec.containerIp, (error) => {
      if (error) drop(`${rinfo.address}|${rinfo.port}`);
    });
  });

  return new Promise((resolve, reject) => {
    listener.once("error", reject);
    listener.bind({ address: spec.hostIp, port: spec.hostPort, exclusive: true }, () => {
      listener.removeListener("error", reject);
      listener.on("error", () => undefined);
      let closed: Promise<void> | undefined;
      resolve({
        flowCount: () => flows.size,
        close() {
          closed ??= new Promise<void>((done) => {
            for (const key of [...flows.keys()]) drop(key);
            listener.close(() => done());
          });
          return closed;
        },
      });
    });
  });
}
