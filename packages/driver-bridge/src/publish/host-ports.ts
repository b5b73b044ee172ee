/**
 * Applying step: takes ONE host port for a group of NAT bindings (every address of the
 * group gets the same port) and holds it per binding, so that one address can later be
 * released alone (e.g. the 6-to-4 binding on `::` when an IPv6 gateway appears).
 *
 * How a port is held, per binding:
 * - proxy on (tcp/udp): the port is marked in `ctx.ports` and the proxy's own listening
 *   socket holds it. No reservation socket is opened, so there is no window between closing
 *   a reservation and the proxy binding the port (the race is avoided, not narrowed).
 * - proxy off, `ctx.portReserver` present (tcp/udp): a reservation (real socket, never
 *   serving) per address; DNAT carries the traffic.
 * - otherwise (no reserver, or sctp which Node cannot bind): bookkeeping in `ctx.ports` only.
 */
import type { PortReservation, Protocol } from "@netd/driverapi";
import type { PublishContext } from "../model.js";
import { isNetdError } from "@netd/driverapi";
import type { ProxyListener, ProxyManager } from "../proxy/types.js";
import { bindError, isRetryableBind } from "./errors.js";
import type { PlannedBinding } from "./types.js";
import type { ParkedHold, ParkedPool } from "./parking.js";
import { takeParked } from "./parking.js";

/** Attempts for a range or ephemeral port when binds fail, as the reference OS allocator. */
export const MAX_ATTEMPTS = 10;

/** Holds one binding's host port; `release` frees socket/proxy and the allocation. */
export interface PortHold {
  release(): Promise<void>;
  /** Stops serving the port but keeps it reserved in netd (see parking.ts). */
  park(): Promise<ParkedHold>;
}

/** The result of taking a group's port. `holds[i]` belongs to `group[i]`. */
export interface GroupHold {
  readonly port: number;
  readonly holds: PortHold[];
}

/** What holding needs. `proxy` null = userland proxy off. */
export interface HoldDeps {
  readonly ctx: PublishContext;
  readonly proxy: ProxyManager | null;
}

/**
 * Takes one port for every binding of `group` (all NAT, same protocol and range) and holds
 * it. `prefer` is tried first (netd's same-port improvements). On failure nothing is held
 * or allocated and the allocator's or bind error is thrown.
 */
export async function holdGroup(deps: HoldDeps, group: readonly PlannedBinding[], prefer?: number, parked?: ParkedPool): Promise<GroupHold> {
  const first = group[0];
  if (first === undefined) throw new Error("holdGroup: empty group");
  const { ctx } = deps;
  const { protocol, hostPortStart: start, hostPortEnd: end } = first;
  const addresses = group.map((b) => b.hostIp);
  const single = start === end && start > 0;
  // The sandbox's own parked port first: taken over before any await (parking.ts).
  const wanted = single ? start : prefer;
  const taken = wanted === undefined ? null : takeParked(parked, addresses, protocol, wanted);
  if (taken && "holds" in taken) return { port: wanted as number, holds: taken.holds };
  const failed: number[] = [];
  const options = prefer === undefined ? undefined : { prefer };
  let lastError: unknown;
  try {
    for (let attempt = 0; attempt < (single ? 1 : MAX_ATTEMPTS); attempt++) {
      let port: number;
      try {
        port = ctx.ports.requestPortsInRange(addresses, protocol, start, end, options);
      } catch (error) {
        if (failed.length > 0 && isNetdError(error) && error.code === "PORTS_EXHAUSTED") throw lastError;
        throw error;
      }
      try {
        return { port, holds: await bindAll(deps, group, port) };
      } catch (error) {
        lastError = error;
        if (!isRetryableBind(error)) throw error;
        // Keep the failed port marked so the next attempt gets another one.
        ctx.ports.requestPortsInRange(addresses, protocol, port, port);
        failed.push(port);
      }
    }
    throw lastError;
  } finally {
    for (const port of failed) for (const a of addresses) ctx.ports.releasePort(a, protocol, port);
  }
}

/** Binds `port` (already marked in ctx.ports for every address) for each binding, or undoes all. */
async function bindAll(deps: HoldDeps, group: readonly PlannedBinding[], port: number): Promise<PortHold[]> {
  const { ctx, proxy } = deps;
  const protocol = group[0]?.protocol ?? "tcp";
  const unmark = (): void => {
    for (const b of group) ctx.ports.releasePort(b.hostIp, protocol, port);
  };
  if (protocol === "sctp" || (proxy === null && ctx.portReserver === undefined)) {
    return group.map((b) => markHold(deps, b.hostIp, protocol, port));
  }
  if (proxy !== null) {
    const started = await Promise.allSettled(
      group.map((b) =>
        proxy.start({ protocol, hostIp: b.hostIp, hostPort: port, containerIp: b.containerIp, containerPort: b.containerPort }),
      ),
    );
    const listeners = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const failure = started.findIndex((r) => r.status === "rejected");
    if (failure >= 0) {
      await Promise.allSettled(listeners.map((l) => l.close()));
      unmark();
      const b = group[failure];
      const reason: unknown = (started[failure] as PromiseRejectedResult).reason;
      throw bindError(b?.hostIp ?? "?", port, protocol, reason);
    }
    return group.map((b, i) => proxyHold(deps, b.hostIp, protocol, port, listeners[i] as ProxyListener));
  }
  // Reserver path: it marks the port itself, so hand the marks over synchronously (no await
  // between unmarking and the reserve calls, so no other publisher call can take the port).
  unmark();
  const reserver = ctx.portReserver;
  if (reserver === undefined) throw new Error("unreachable: no reserver");
  const results = await Promise.allSettled(group.map((b) => reserver.reserve([b.hostIp], protocol, port, port)));
  const held = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = results.findIndex((r) => r.status === "rejected");
  if (failure >= 0) {
    await Promise.allSettled(held.map((r) => r.release()));
    const b = group[failure];
    throw bindError(b?.hostIp ?? "?", port, protocol, (results[failure] as PromiseRejectedResult).reason);
  }
  return held.map((r: PortReservation) => reservationHold(r));
}

/** Bookkeeping only: the allocator's mark is the hold. */
function markHold(deps: HoldDeps, hostIp: string, protocol: Protocol, port: number): PortHold {
  const unmark = (): void => deps.ctx.ports.releasePort(hostIp, protocol, port);
  return {
    release: () => Promise.resolve(unmark()),
    park: () => Promise.resolve({ reuse: null, unmark, release: () => Promise.resolve(unmark()) }),
  };
}

/** A reservation (bound socket): parked as it is, and reusable for the same address and port. */
function reservationHold(r: PortReservation): PortHold {
  const hold: PortHold = {
    release: () => r.release(),
    park: () => Promise.resolve({ reuse: hold, unmark: () => undefined, release: () => r.release() }),
  };
  return hold;
}

function proxyHold(deps: HoldDeps, hostIp: string, protocol: "tcp" | "udp", port: number, listener: ProxyListener): PortHold {
  let done: Promise<void> | undefined;
  const unmark = (): void => deps.ctx.ports.releasePort(hostIp, protocol, port);
  return {
    release() {
      done ??= listener.close().then(unmark);
      return done;
    },
    // The listener forwards to this endpoint's address: it closes; the mark keeps the port.
    async park() {
      await listener.close();
      return { reuse: null, unmark, release: () => Promise.resolve(unmark()) };
    },
  };
}
