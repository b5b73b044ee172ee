/** Re-creating stored bindings with their exact host ports after a restart. */
import type { DriverStateStore } from "@netd/driverapi";
import type { AcquireDeps } from "./acquire.js";
import { holdGroup } from "./host-ports.js";
import { endpointPorts } from "./firewall-ports.js";
import type { EndpointRecord, Entry } from "./records.js";
import { loadStored, persist, rememberPorts } from "./records.js";
import type { AppliedBinding } from "./types.js";
import { groupKey } from "./types.js";

/**
 * Restores one endpoint from the store into `record`: every NAT group is re-held on its
 * stored port exactly (asked as a single port), routed openings come back as they were,
 * then the firewall is told the endpoint's ports. A group whose port cannot be taken any
 * more is logged and left out, so the gateway-change replay that follows restore plans it
 * again (it then gets the port back if it became free, or another one of its range).
 */
export async function restoreEndpoint(deps: AcquireDeps, store: DriverStateStore, record: EndpointRecord): Promise<void> {
  const { ctx } = deps;
  const stored = await loadStored(store, record.endpoint.id);
  if (stored.length === 0) return;
  const groups = new Map<string, AppliedBinding[]>();
  for (const b of stored) {
    const k = `${groupKey(b)}#${b.hostPort}`;
    groups.set(k, [...(groups.get(k) ?? []), b]);
  }
  const entries: Entry[] = [];
  for (const group of groups.values()) {
    const first = group[0] as AppliedBinding;
    if (first.mapper === "routed") {
      for (const b of group) entries.push({ binding: b, hold: null });
      continue;
    }
    try {
      const exact = group.map((b) => ({ ...b, hostPortStart: b.hostPort, hostPortEnd: b.hostPort }));
      const { holds } = await holdGroup(deps, exact);
      group.forEach((b, i) => entries.push({ binding: b, hold: holds[i] ?? null }));
    } catch (error) {
      ctx.log.error("cannot restore a published port; it will be planned again", {
        endpoint: record.endpoint.id,
        hostPort: first.hostPort,
        protocol: first.protocol,
        error: String(error),
      });
    }
  }
  try {
    await deps.firewall.setEndpointPorts(record.endpoint.id, endpointPorts(record.network, entries.map((e) => e.binding)));
  } catch (error) {
    await Promise.allSettled(entries.flatMap((e) => (e.hold ? [e.hold.release()] : [])));
    throw error;
  }
  record.entries = entries;
  rememberPorts(record, entries);
  // The stored group ranges are kept, so the replay event finds nothing to change.
  rememberPorts(record, stored.map((binding) => ({ binding, hold: null })));
  await persist(store, record);
}
