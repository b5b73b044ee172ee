/**
 * Step 3 of planning: the reference's order (`PortBindingReq.Compare`) and same-host-port
 * groups (`needSamePort`). Pure.
 */
import type { PlannedBinding } from "./types.js";
import { groupKey } from "./types.js";

const PROTO_ORDER = { tcp: 0, udp: 1, sctp: 2 } as const;

const isRange = (b: PlannedBinding): boolean => b.hostPortStart === 0 || b.hostPortStart !== b.hostPortEnd;

/**
 * Compares two bindings: mapper; exact host ports before ranges (ephemeral counts as a
 * range) so that exact ports inside a range are taken first; container port; protocol;
 * host port start, then end; host IP; container IP.
 */
export function compareBindings(a: PlannedBinding, b: PlannedBinding): number {
  return (
    a.mapper.localeCompare(b.mapper) ||
    Number(isRange(a)) - Number(isRange(b)) ||
    a.containerPort - b.containerPort ||
    PROTO_ORDER[a.protocol] - PROTO_ORDER[b.protocol] ||
    a.hostPortStart - b.hostPortStart ||
    a.hostPortEnd - b.hostPortEnd ||
    cmp(a.hostIp, b.hostIp) ||
    cmp(a.containerIp, b.containerIp)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts (a copy) and drops exact duplicates, then splits into groups that must share one
 * host port: same mapper, protocol, container port and host port range, differing only
 * in addresses (e.g. 0.0.0.0 and ::). Empty input gives no groups.
 */
export function sortAndGroup(bindings: readonly PlannedBinding[]): PlannedBinding[][] {
  const sorted = [...bindings].sort(compareBindings);
  const groups: PlannedBinding[][] = [];
  let last: PlannedBinding | undefined;
  for (const b of sorted) {
    if (last !== undefined && compareBindings(last, b) === 0) continue;
    const current = groups[groups.length - 1];
    if (current !== undefined && last !== undefined && groupKey(last) === groupKey(b)) current.push(b);
    else groups.push([b]);
    last = b;
  }
  return groups;
}
