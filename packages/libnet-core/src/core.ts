/**
 * The controller's internals shared by its steps: dependencies, in-memory state and the
 * conversions from records to what drivers see. Not exported from the package.
 */
import type {
  Driver,
  DriverContext,
  DriverStateStore,
  EndpointInfo,
  HostPortReserver,
  Kernel,
  Logger,
  NetnsPath,
  PortAllocator,
} from "@netd/driverapi";
import type { EndpointIndex } from "./endpoint/endpoint-index.js";
import type { Ipam } from "./ipam/index.js";
import type { DriverRegistry } from "./registry.js";
import type { Participant } from "./gateway/notify.js";
import { eventKey } from "./gateway/notify.js";
import { gatewayFamilies, selectGateways } from "./gateway/select.js";
import type { GatewayCandidate } from "./gateway/select.js";
import type { EndpointRecord, GatewayPair, NetworkRecord, SandboxRecord } from "./model.js";
import type { Store } from "./store/store.js";
import type { Intent } from "./txn/intent.js";
import type { Txn } from "./txn/transaction.js";

/** Mutable in-memory state; the store holds the same data durably. */
export interface CoreState {
  readonly networks: Map<string, NetworkRecord>;
  readonly endpoints: EndpointIndex;
  readonly sandboxes: Map<string, SandboxRecord>;
  /** Sandboxes being deleted: no joins, no gateway events (reference §1.8). */
  readonly deleting: Set<string>;
  /** sandbox id → driver name → fingerprint of the last event delivered. */
  readonly delivered: Map<string, Map<string, string>>;
  /** Names of sandboxes being created (not yet in `sandboxes`): unique under concurrency. */
  readonly pendingSandboxNames: Set<string>;
}

export interface Core {
  readonly state: CoreState;
  readonly store: Store;
  readonly ipam: Ipam;
  readonly registry: DriverRegistry;
  readonly kernel: Kernel;
  readonly hostNetns: NetnsPath;
  readonly log: Logger;
  /** Prefix of namespaces netd creates for sandboxes without their own (`/run/netns/<prefix><id>`). */
  readonly netnsPrefix: string;
  readonly ports: PortAllocator;
  readonly portReserver?: HostPortReserver;
  /** Starts an operation's transaction, writing its intent first (null: no intent). */
  begin(intent: Intent | null): Promise<Txn>;
}

/**
 * The context of one hook call: the shared dependencies, ports only for publishing drivers,
 * and `state` bound to the operation's transaction (`txn` null: a read-only view).
 */
export function contextFor(core: Core, driver: Driver, txn: Txn | null): DriverContext {
  const publishes = driver.capabilities.publishesPorts;
  return {
    kernel: core.kernel,
    hostNetns: core.hostNetns,
    ...(publishes ? { ports: core.ports } : {}),
    ...(publishes && core.portReserver ? { portReserver: core.portReserver } : {}),
    log: core.log,
    state: txn ? txnState(txn, driver.name) : readOnlyState(core.store, driver.name),
  };
}

function txnState(txn: Txn, driver: string): DriverStateStore {
  const kind = `driver:${driver}` as const;
  return {
    get: <T>(key: string) => txn.get<T>(kind, key),
    put: (key, value) => Promise.resolve(txn.put(kind, key, value)),
    delete: (key) => Promise.resolve(txn.delete(kind, key)),
    list: async <T>(prefix: string) => (await txn.list<T>(kind)).filter((e) => e.id.startsWith(prefix)).map((e) => ({ key: e.id, value: e.value })),
  };
}

function readOnlyState(store: Store, driver: string): DriverStateStore {
  const kind = `driver:${driver}` as const;
  const refuse = (key: string) => Promise.reject(new Error(`driver '${driver}' wrote state key '${key}' outside an operation (endpointInfo and shutdown are read-only)`));
  return {
    get: <T>(key: string) => store.get<T>(kind, key),
    put: (key) => refuse(key),
    delete: (key) => refuse(key),
    list: async <T>(prefix: string) => (await store.list<T>(kind)).filter((e) => e.id.startsWith(prefix)).map((e) => ({ key: e.id, value: e.value })),
  };
}

import { toEndpointInfo } from "./views.js";

export { toEndpointInfo, toNetworkInfo, toSandboxInfo } from "./views.js";

/** Joined endpoints of a sandbox, optionally with one endpoint replaced, added or left out. */
export function joinedEndpoints(core: Core, sandboxId: string, override?: { add?: EndpointRecord; without?: string }): EndpointRecord[] {
  const out: EndpointRecord[] = [];
  for (const e of core.state.endpoints.ofSandbox(sandboxId).values()) {
    if (e.id === override?.without || e.id === override?.add?.id) continue;
    out.push(e);
  }
  if (override?.add) out.push(override.add);
  return out;
}

/** Gateway candidates for joined endpoints (reference §3.1–§3.2). */
export function candidatesOf(core: Core, endpoints: readonly EndpointRecord[]): GatewayCandidate[] {
  return endpoints.map((e) => {
    const net = core.state.networks.get(e.networkId);
    const fam = e.join ? gatewayFamilies(e.join, e.ipv6 !== null) : { hasGw4: false, hasGw6: false };
    return { endpointId: e.id, networkName: net?.name ?? "", internal: net?.internal ?? false, gwPriority: e.gwPriority, ...fam };
  });
}

export function gatewaysOf(core: Core, endpoints: readonly EndpointRecord[]): GatewayPair {
  return selectGateways(candidatesOf(core, endpoints));
}

/** Groups endpoints by driver: one participant per driver with an endpoint in the sandbox. */
export function participantsOf(core: Core, txn: Txn, endpoints: readonly EndpointRecord[]): Participant[] {
  const byDriver = new Map<string, { driver: Driver; endpoints: EndpointInfo[] }>();
  for (const e of endpoints) {
    const net = core.state.networks.get(e.networkId);
    if (!net) continue;
    const driver = core.registry.get(net.driver);
    const entry = byDriver.get(driver.name) ?? { driver, endpoints: [] };
    entry.endpoints.push(toEndpointInfo(e));
    byDriver.set(driver.name, entry);
  }
  return [...byDriver.values()].map((p) => ({ ...p, ctx: contextFor(core, p.driver, txn) }));
}

/** Participants whose event differs from the last one they received (identical events are not re-sent). */
export function changedParticipants(core: Core, sandboxId: string, pair: GatewayPair, participants: readonly Participant[]): Participant[] {
  const last = core.state.delivered.get(sandboxId);
  return participants.filter((p) => last?.get(p.driver.name) !== eventKey(pair, p.endpoints));
}

/** Records what each participant now knows. */
export function rememberDelivered(core: Core, sandboxId: string, pair: GatewayPair, participants: readonly Participant[]): void {
  const map = new Map<string, string>();
  for (const p of participants) map.set(p.driver.name, eventKey(pair, p.endpoints));
  if (map.size === 0) core.state.delivered.delete(sandboxId);
  else core.state.delivered.set(sandboxId, map);
}

/** Resolves the network of an endpoint or fails loudly (a broken invariant). */
export function networkOf(core: Core, e: EndpointRecord): NetworkRecord {
  const n = core.state.networks.get(e.networkId);
  if (!n) throw new Error(`endpoint ${e.id} refers to missing network ${e.networkId}`);
  return n;
}
