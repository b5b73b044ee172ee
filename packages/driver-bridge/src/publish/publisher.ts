/** The Publisher: gateway events in, port bindings out (see model.ts for the contract). */
import type { BridgeEndpoint, Publisher, PublisherDeps } from "../model.js";
import type { DriverStateStore, GatewayChange } from "@netd/driverapi";
import { NetdAggregateError, wrapError } from "@netd/driverapi";
import type { ProxyManager } from "../proxy/types.js";
import type { AcquireDeps, Undo } from "./acquire.js";
import { acquireEndpoint } from "./acquire.js";
import { diffEndpoint, planEndpoint } from "./plan.js";
import type { EndpointRecord } from "./records.js";
import { forgetStored, operational } from "./records.js";
import type { ParkedPool } from "./parking.js";
import { releaseParked } from "./parking.js";
import { releaseBindings } from "./release.js";
import { restoreEndpoint } from "./restore.js";

/** How the publisher serves what DNAT cannot. */
export interface PublisherOptions {
  /** The driver's `userlandProxy` option: host-local, hairpin and 6-to-4 traffic through a proxy. */
  readonly userlandProxy: boolean;
  /** Called once when `userlandProxy` is true (a test seam). */
  readonly createProxy: () => ProxyManager;
}

/**
 * Creates a publisher. Per endpoint it keeps what is applied; each event is planned for
 * every endpoint first (so invalid input fails before anything changes), then applied.
 */
export function createPublisherWith(deps: PublisherDeps, options: PublisherOptions): Publisher {
  const { ctx, firewall } = deps;
  const records = new Map<string, EndpointRecord>();
  // sandbox id → its endpoints' records: siblings and "the sandbox's last endpoint here"
  // without scanning every record (O(sandboxes) per attach and detach at scale).
  const bySandbox = new Map<string, Set<EndpointRecord>>();
  const proxy = options.userlandProxy ? options.createProxy() : null;
  const applyDeps: AcquireDeps = { ctx, firewall, proxy };

  const recordFor = (endpoint: BridgeEndpoint): EndpointRecord => {
    let record = records.get(endpoint.id);
    if (!record) {
      record = { endpoint, network: deps.network(endpoint.networkId), entries: [], lastPorts: new Map() };
      records.set(endpoint.id, record);
      const mine = bySandbox.get(endpoint.sandboxId) ?? new Set();
      bySandbox.set(endpoint.sandboxId, mine.add(record));
    }
    return record;
  };
  const forgetRecord = (record: EndpointRecord): void => {
    records.delete(record.endpoint.id);
    const mine = bySandbox.get(record.endpoint.sandboxId);
    mine?.delete(record);
    if (mine?.size === 0) bySandbox.delete(record.endpoint.sandboxId);
  };

  // sandbox id → ports its release phase parked for its acquire phase (parking.ts).
  const parking = new Map<string, ParkedPool>();
  const poolOf = (sandboxId: string): ParkedPool => {
    let pool = parking.get(sandboxId);
    if (!pool) {
      pool = new Map();
      parking.set(sandboxId, pool);
    }
    return pool;
  };
  const releasePool = async (sandboxId: string): Promise<unknown[]> => {
    const errors = await releaseParked(parking.get(sandboxId));
    parking.delete(sandboxId);
    return errors;
  };

  const siblingsOf = (record: EndpointRecord): EndpointRecord[] => [...(bySandbox.get(record.endpoint.sandboxId) ?? [])].filter((r) => r !== record);

  return {
    async onGatewayChange(store: DriverStateStore, change: GatewayChange, endpoints: readonly BridgeEndpoint[]) {
      const plans = endpoints.map((endpoint) => {
        const record = recordFor(endpoint);
        const plan = planEndpoint(change.sandbox.portBindings, endpoint, record.network, change.gw4, change.gw6, proxy !== null);
        if (change.phase === "acquire") for (const n of plan.notices) ctx.log.info(n, { endpoint: endpoint.id });
        return { record, diff: diffEndpoint(plan, record.entries.map((e) => e.binding)) };
      });
      if (change.phase === "release") {
        const errors: unknown[] = [];
        for (const { record, diff } of plans) {
          try {
            await releaseBindings(applyDeps, store, record, diff.remove, poolOf(change.sandbox.id));
          } catch (error) {
            errors.push(error);
          }
        }
        if (errors.length === 1) throw errors[0];
        if (errors.length > 1) throw new NetdAggregateError("failed to release port bindings", errors);
        return;
      }
      const undo: Undo[] = [];
      const pool = poolOf(change.sandbox.id);
      try {
        for (const { record, diff } of plans) {
          if (diff.add.length > 0) await acquireEndpoint(applyDeps, store, record, diff.add, siblingsOf(record), undo, pool);
        }
        // Parked ports no endpoint took back are free now. After a failure they stay parked
        // for the rollback's event (the join's previous gateways), which takes them back.
        for (const e of await releasePool(change.sandbox.id)) ctx.log.warn("failed to release a parked host port", { error: String(e) });
      } catch (error) {
        for (const step of undo.reverse()) {
          try {
            await step();
          } catch (undoError) {
            ctx.log.error("rollback of port publishing failed", { error: String(undoError) });
          }
        }
        throw wrapError(`failed to publish ports of sandbox ${change.sandbox.name}`, error);
      }
    },

    async releaseEndpoint(store: DriverStateStore, endpointId: string) {
      const record = records.get(endpointId);
      const errors: unknown[] = [];
      if (record) {
        try {
          await releaseBindings(applyDeps, store, record, record.entries.map((e) => e.binding));
        } catch (error) {
          errors.push(error);
        }
        // A release that failed before letting go of the holds (e.g. its firewall update)
        // keeps the record, so that the retried leave still finds and frees the host ports.
        if (record.entries.length === 0) forgetRecord(record);
      }
      // The sandbox's last endpoint here is gone: nothing will take its parked ports back.
      const sandboxId = record?.endpoint.sandboxId;
      if (sandboxId !== undefined && !bySandbox.has(sandboxId)) errors.push(...(await releasePool(sandboxId)));
      try {
        await forgetStored(store, endpointId);
      } catch (error) {
        errors.push(error);
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new NetdAggregateError(`failed to release the ports of endpoint ${endpointId.slice(0, 12)}`, errors);
    },

    bindings: (endpointId: string) => operational(records.get(endpointId)),

    async restore(store: DriverStateStore, endpoints: readonly BridgeEndpoint[]) {
      for (const endpoint of endpoints) {
        const record = recordFor(endpoint);
        if (record.entries.length > 0) continue;
        await restoreEndpoint(applyDeps, store, record);
      }
    },

    async close() {
      const holds = [...records.values()].flatMap((r) => r.entries.map((e) => e.hold));
      records.clear();
      bySandbox.clear();
      await Promise.allSettled([...parking.keys()].map((id) => releasePool(id)));
      await Promise.allSettled(holds.flatMap((h) => (h ? [h.release()] : [])));
      await proxy?.close();
    },
  };
}

