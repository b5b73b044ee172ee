/**
 * Applying, acquire phase: adds the desired bindings an endpoint lacks (host ports, proxies,
 * firewall elements, conntrack flush, persistence). Every step pushes its undo; the caller
 * runs them in reverse if anything fails, across all endpoints of the event.
 */
import type { DriverStateStore } from "@netd/driverapi";
import type { BridgeFirewall } from "../model.js";
import type { GroupHold, HoldDeps } from "./host-ports.js";
import { holdGroup } from "./host-ports.js";
import type { ParkedPool } from "./parking.js";
import { parkKey } from "./parking.js";
import { endpointPorts } from "./firewall-ports.js";
import { flushUdp } from "./conntrack.js";
import type { EndpointRecord, Entry } from "./records.js";
import { persist, rememberPorts } from "./records.js";
import type { AppliedBinding, PlannedBinding } from "./types.js";
import { groupKey } from "./types.js";

/** An undo step; run in reverse order on failure. */
export type Undo = () => Promise<void>;

/** What acquiring needs. */
export interface AcquireDeps extends HoldDeps {
  readonly firewall: BridgeFirewall;
}

/**
 * Host port to prefer for a group: one its present members hold (6-to-4 coming back next
 * to the IPv4 binding), else the port the same published binding holds on another
 * endpoint of the sandbox (two single-stack gateways), else the last port the group had on
 * this endpoint, else the last it had on another endpoint of the sandbox (a gateway moving
 * back and forth keeps its ephemeral port when it is still free).
 */
export function preferredPort(record: EndpointRecord, group: readonly PlannedBinding[], siblings: readonly EndpointRecord[]): number | undefined {
  const gk = groupKey(group[0] as PlannedBinding);
  const held = (r: EndpointRecord): number | undefined => r.entries.find((e) => e.binding.mapper === "nat" && groupKey(e.binding) === gk)?.binding.hostPort;
  const candidates = [held(record), ...siblings.map(held), record.lastPorts.get(gk), ...siblings.map((s) => s.lastPorts.get(gk))];
  return candidates.find((p) => p !== undefined);
}

/**
 * Adds `groups` to `record`, pushing undo steps onto `undo`. Throws the first failure.
 * `parked`: the sandbox's parked ports, taken over first (and where an undo puts them back).
 */
export async function acquireEndpoint(
  deps: AcquireDeps,
  store: DriverStateStore,
  record: EndpointRecord,
  groups: readonly PlannedBinding[][],
  siblings: readonly EndpointRecord[],
  undo: Undo[],
  parked?: ParkedPool,
): Promise<void> {
  const { ctx, firewall } = deps;
  const before = record.entries;
  // Every group takes its host port before its first await, in group order; the groups then
  // bind together, so the proxy gets a sandbox's ports in one exchange.
  const held = await Promise.allSettled(groups.map((group) => (group[0]?.mapper === "routed" ? Promise.resolve(null) : holdGroup(deps, group, preferredPort(record, group, siblings), parked))));
  const added: Entry[] = [];
  groups.forEach((group, k) => {
    const r = held[k] as PromiseSettledResult<GroupHold | null>;
    if (r.status === "rejected") return;
    if (r.value === null) return group.forEach((b) => added.push({ binding: { ...b, hostPort: 0 }, hold: null }));
    const { port, holds } = r.value;
    undo.push(async () => {
      // Rolled back: the port goes back to the pool, where the rollback's acquire finds it.
      if (!parked) return void (await Promise.allSettled(holds.map((h) => h.release())));
      await Promise.allSettled(holds.map(async (h, i) => parked.set(parkKey(group[i]!.hostIp, group[i]!.protocol, port), await h.park())));
    });
    group.forEach((b, i) => added.push({ binding: { ...b, hostPort: port }, hold: holds[i] ?? null }));
  });
  const failed = held.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const after = [...before, ...added];
  const applied: AppliedBinding[] = after.map((e) => e.binding);
  await firewall.setEndpointPorts(record.endpoint.id, endpointPorts(record.network, applied));
  undo.push(() => firewall.setEndpointPorts(record.endpoint.id, endpointPorts(record.network, before.map((e) => e.binding))));
  record.entries = after;
  undo.push(async () => {
    record.entries = before;
    await persist(store, record);
  });
  await persist(store, record);
  rememberPorts(record, added);
  await flushUdp(ctx, added.map((e) => e.binding));
}
