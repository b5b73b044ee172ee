/** The publisher's in-memory state: per endpoint, what is applied and what holds its ports. */
import type { DriverStateStore, OperationalBinding } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig } from "../model.js";
import type { PortHold } from "./host-ports.js";
import type { AppliedBinding } from "./types.js";
import { groupKey } from "./types.js";

/** One applied binding and what holds its host port (null: routed, nothing held). */
export interface Entry {
  readonly binding: AppliedBinding;
  readonly hold: PortHold | null;
}

/** An endpoint's applied state. */
export interface EndpointRecord {
  readonly endpoint: BridgeEndpoint;
  readonly network: BridgeNetworkConfig;
  entries: Entry[];
  /** Last host port per group key, kept after a binding goes, for `prefer` when it comes back. */
  readonly lastPorts: Map<string, number>;
}

/** Stored form, key `ports/<endpointId>`. */
interface StoredPorts {
  readonly version: 1;
  readonly networkId: string;
  readonly sandboxId: string;
  readonly bindings: readonly AppliedBinding[];
}

const key = (endpointId: string): string => `ports/${endpointId}`;

/** Writes the applied bindings of a record (exact host ports); no bindings deletes the key. */
export async function persist(store: DriverStateStore, record: EndpointRecord): Promise<void> {
  if (record.entries.length === 0) return store.delete(key(record.endpoint.id));
  const value: StoredPorts = {
    version: 1,
    networkId: record.endpoint.networkId,
    sandboxId: record.endpoint.sandboxId,
    bindings: record.entries.map((e) => e.binding),
  };
  await store.put(key(record.endpoint.id), value);
}

/** Reads what `persist` wrote; missing or of another version gives []. */
export async function loadStored(store: DriverStateStore, endpointId: string): Promise<readonly AppliedBinding[]> {
  const value = await store.get<StoredPorts>(key(endpointId));
  return value?.version === 1 ? value.bindings : [];
}

/** Forgets an endpoint's stored bindings (leave). */
export function forgetStored(store: DriverStateStore, endpointId: string): Promise<void> {
  return store.delete(key(endpointId));
}

/** Remembers the host ports of entries for later `prefer`. */
export function rememberPorts(record: EndpointRecord, entries: readonly Entry[]): void {
  for (const e of entries) if (e.binding.hostPort > 0) record.lastPorts.set(groupKey(e.binding), e.binding.hostPort);
}

/** Inspect's view: one operational binding per applied binding, in applied order. */
export function operational(record: EndpointRecord | undefined): OperationalBinding[] {
  return (record?.entries ?? []).map(({ binding: b }) => ({
    protocol: b.protocol,
    containerIp: b.containerIp,
    containerPort: b.containerPort,
    hostIp: b.hostIp,
    hostPort: b.hostPort,
  }));
}
