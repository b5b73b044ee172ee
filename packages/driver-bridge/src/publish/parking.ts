/**
 * Parked host ports (C2, issue 17): during a gateway change the release phase lets go of
 * bindings that the acquire phase usually takes again on another endpoint of the same
 * sandbox (the gateway moved). Between the two phases other requests run, so a released port
 * could be taken by another sandbox and the acquire (and its rollback) would fail. Instead
 * the release phase PARKS a dropped binding's port: what serves it stops (proxy listener),
 * but the port stays marked in the allocator (a reservation socket even stays bound), so for
 * everyone else it is still in use. The acquire phase of the same sandbox takes parked ports
 * over synchronously (no await between dropping the mark and taking it again); what it did
 * not need is released when it succeeded.
 */
import type { Protocol } from "@netd/driverapi";
import type { PortHold } from "./host-ports.js";

/** A port held for a sandbox between the release and the acquire phase. */
export interface ParkedHold {
  /** The hold itself when it can serve the new binding as it is (a reservation socket), else null. */
  readonly reuse: PortHold | null;
  /** Drops the allocator mark, synchronously: only right before taking the port again. */
  unmark(): void;
  /** Lets the port go for good (not taken over). */
  release(): Promise<void>;
}

/** One sandbox's parked ports by "address/protocol/port". */
export type ParkedPool = Map<string, ParkedHold>;

export const parkKey = (address: string, protocol: Protocol, port: number): string => `${address}/${protocol}/${port}`;

/**
 * Takes over the parked holds of `port` on every address, or none: the holds to use as they
 * are, or `unmarked` true when the marks were dropped and the caller must request the port at
 * once (in the same synchronous run). null when the pool does not hold the port everywhere.
 */
export function takeParked(pool: ParkedPool | undefined, addresses: readonly string[], protocol: Protocol, port: number): { holds: PortHold[] } | { unmarked: true } | null {
  if (!pool || pool.size === 0) return null;
  const parked = addresses.map((a) => pool.get(parkKey(a, protocol, port)));
  if (parked.some((p) => p === undefined)) return null;
  const all = parked as ParkedHold[];
  const reusable = all.filter((p) => p.reuse !== null);
  // Mixed kinds cannot be handed over in one step (a bound socket would block the new bind).
  if (reusable.length !== 0 && reusable.length !== all.length) return null;
  for (const a of addresses) pool.delete(parkKey(a, protocol, port));
  if (reusable.length > 0) return { holds: all.map((p) => p.reuse as PortHold) };
  for (const p of all) p.unmark();
  return { unmarked: true };
}

/** Releases every parked hold of a pool (after a successful acquire, at leave, at close). */
export async function releaseParked(pool: ParkedPool | undefined): Promise<unknown[]> {
  if (!pool || pool.size === 0) return [];
  const held = [...pool.values()];
  pool.clear();
  const results = await Promise.allSettled(held.map((p) => p.release()));
  return results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
}
