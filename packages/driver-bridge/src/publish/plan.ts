/**
 * Planning, composed: for one endpoint and one gateway event, the sorted groups of bindings
 * it should have. Pure; see modes.ts, normalize.ts and sort.ts for the steps.
 */
import type { PortBinding } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig } from "../model.js";
import { requestedModes } from "./modes.js";
import { normalizeBindings } from "./normalize.js";
import { sortAndGroup } from "./sort.js";
import type { AppliedBinding, PlannedBinding } from "./types.js";
import { bindingKey } from "./types.js";

/** The desired bindings of one endpoint, grouped for allocation, plus notices to log. */
export interface EndpointPlan {
  readonly groups: PlannedBinding[][];
  readonly notices: string[];
}

/** Plans `endpoint` for gateway ids `gw4`/`gw6`. No bindings or an internal network: no groups. */
export function planEndpoint(
  bindings: readonly PortBinding[],
  endpoint: BridgeEndpoint,
  network: BridgeNetworkConfig,
  gw4: string | null,
  gw6: string | null,
  proxy: boolean,
): EndpointPlan {
  const modes = requestedModes(network, endpoint.id, gw4, gw6);
  const { bindings: planned, notices } = normalizeBindings({ bindings, endpoint, network, modes, proxy });
  return { groups: sortAndGroup(planned), notices };
}

/** Desired minus applied (to add, in group order) and applied minus desired (to remove). */
export interface EndpointDiff {
  /** Groups restricted to their missing members; empty groups are dropped. */
  readonly add: PlannedBinding[][];
  readonly remove: AppliedBinding[];
}

/** Diffs by binding key, so a binding already present (e.g. a routed opening) is never added twice. */
export function diffEndpoint(plan: EndpointPlan, applied: readonly AppliedBinding[]): EndpointDiff {
  const present = new Set(applied.map(bindingKey));
  const wanted = new Set<string>();
  const add: PlannedBinding[][] = [];
  for (const group of plan.groups) {
    const missing = group.filter((b) => {
      const key = bindingKey(b);
      wanted.add(key);
      return !present.has(key);
    });
    if (missing.length > 0) add.push(missing);
  }
  return { add, remove: applied.filter((b) => !wanted.has(bindingKey(b))) };
}
