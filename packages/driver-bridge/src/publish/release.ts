/** Applying, release phase: removes bindings an endpoint no longer needs. */
import { NetdAggregateError } from "@netd/driverapi";
import type { DriverStateStore } from "@netd/driverapi";
import type { AcquireDeps } from "./acquire.js";
import { flushUdp } from "./conntrack.js";
import { endpointPorts } from "./firewall-ports.js";
import type { PortHold } from "./host-ports.js";
import type { ParkedPool } from "./parking.js";
import { parkKey } from "./parking.js";
import type { EndpointRecord, Entry } from "./records.js";
import { persist, rememberPorts } from "./records.js";
import type { AppliedBinding } from "./types.js";

/**
 * Removes `remove` (a subset of the record's bindings): firewall elements first (one
 * transaction; if it fails nothing changed and the error is thrown), then the proxies,
 * sockets and allocations (with `parked`, the host ports are parked there instead: still
 * reserved for the sandbox's acquire phase, see parking.ts), a UDP conntrack flush, and the stored state. Failures after the
 * firewall step are collected and thrown together once everything was tried.
 */
export async function releaseBindings(
  deps: AcquireDeps,
  store: DriverStateStore,
  record: EndpointRecord,
  remove: readonly AppliedBinding[],
  parked?: ParkedPool,
): Promise<void> {
  if (remove.length === 0) return;
  const gone = new Set(remove);
  const keep = record.entries.filter((e) => !gone.has(e.binding));
  const dropped = record.entries.filter((e) => gone.has(e.binding));
  await deps.firewall.setEndpointPorts(record.endpoint.id, endpointPorts(record.network, keep.map((e) => e.binding)));
  record.entries = keep;
  rememberPorts(record, dropped);
  const errors: unknown[] = [];
  const letGo = async (e: Entry & { hold: PortHold }): Promise<void> => {
    if (!parked) return e.hold.release();
    parked.set(parkKey(e.binding.hostIp, e.binding.protocol, e.binding.hostPort), await e.hold.park());
  };
  const results = await Promise.allSettled(dropped.flatMap((e) => (e.hold ? [letGo({ ...e, hold: e.hold })] : [])));
  for (const r of results) if (r.status === "rejected") errors.push(r.reason);
  await flushUdp(deps.ctx, remove);
  try {
    await persist(store, record);
  } catch (error) {
    errors.push(error);
  }
  if (errors.length > 0) {
    throw new NetdAggregateError(`failed to release port bindings of endpoint ${record.endpoint.id.slice(0, 12)}`, errors);
  }
}
