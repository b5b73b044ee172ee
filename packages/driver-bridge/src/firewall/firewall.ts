/**
 * netd's nftables table for the bridge driver (nftables-layout.md): the BridgeFirewall of
 * model.ts. It records networks, endpoint guards and ports in memory (write-only at run
 * time, layout decision 7) and applies changes as ONE transaction each: network add/remove
 * and reconcile render the whole table (replaceTable, atomic); endpoint and port changes are
 * element diffs (updateElements). On any failure the recorded state stays as it was.
 *
 * Be aware:
 * - calls are serialised: a full replace must not interleave with an element update;
 * - between `beginRestore()` and `reconcile()` changes are only recorded, so a restart
 *   re-applies everything in one replace with no gap in DNAT.
 */
import type { Kernel, Logger, NetnsPath, NftElementChange, NftTableRef } from "@netd/driverapi";
import { bridgeError } from "../errors.js";
import type { BridgeEndpoint, BridgeFirewall, BridgeNetworkConfig, EndpointPorts } from "../model.js";
import { dispatchElements, guardElements, type Element } from "./elements.js";
import { diffPorts, NO_PORTS, portElements, updateRefs, type PortElements } from "./ports-diff.js";
import { expectedElements, fingerprintDiff, fingerprintOf, renderedChains } from "./fingerprint.js";
import { CONTAINER_NAMES, renderTable } from "./render.js";

export interface FirewallOptions {
  readonly kernel: Kernel;
  /** The host namespace: where the table lives. */
  readonly netns: NetnsPath;
  /** Table name (must start with "netd"). */
  readonly table: string;
  readonly userlandProxy: boolean;
  readonly log: Logger;
}

/** The firewall plus what the driver and tests need beyond the shared contract. */
export interface BridgeFirewallImpl extends BridgeFirewall {
  /** Changes are recorded but not applied until {@link BridgeFirewall.reconcile} (daemon restart). */
  beginRestore(): void;
  /** Records a network and its endpoints without touching the kernel (restore). */
  load(network: BridgeNetworkConfig, endpoints: readonly BridgeEndpoint[]): void;
  /** The elements of recorded endpoints and ports (render input; tests). */
  elements(): Element[];
  /** The recorded networks. */
  networks(): BridgeNetworkConfig[];
  /**
   * Compares the table in the kernel with the recorded state (chains, rule counts, element
   * counts) and, when someone else changed or removed it, re-applies the whole table in one
   * replace. Returns what differed (empty: nothing to repair). Serialised with every change.
   */
  verify(): Promise<string[]>;
}

interface EndpointRecord {
  readonly networkId: string;
  readonly guards: readonly Element[];
}

export function createBridgeFirewall(opts: FirewallOptions): BridgeFirewallImpl {
  const table: NftTableRef = { family: "inet", name: opts.table };
  const networks = new Map<string, BridgeNetworkConfig>();
  const endpoints = new Map<string, EndpointRecord>();
  const ports = new Map<string, PortElements>();
  const openRefs = new Map<string, number>();
  /** Which endpoint owns each mapping element id (two endpoints cannot map one host port). */
  const mappingOwner = new Map<string, string>();
  let deferred = false;
  let queue: Promise<unknown> = Promise.resolve();

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const elements = (): Element[] => {
    const out: Element[] = [];
    for (const ep of endpoints.values()) out.push(...ep.guards);
    for (const p of ports.values()) out.push(...p.mappings.values());
    const seen = new Set<string>();
    for (const p of ports.values()) {
      for (const [id, e] of p.openings) {
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(e);
      }
    }
    return out;
  };

  const render = () => renderTable({ userlandProxy: opts.userlandProxy, networks: [...networks.values()], elements: elements() });

  const applyAll = async (): Promise<void> => {
    if (deferred) return;
    if (networks.size === 0) {
      await opts.kernel.nft.deleteTable(opts.netns, table);
      return;
    }
    await opts.kernel.nft.replaceTable(opts.netns, table, render());
  };

  const applyElements = async (remove: readonly Element[], add: readonly Element[]): Promise<void> => {
    if (deferred || (remove.length === 0 && add.length === 0)) return;
    const changes: NftElementChange[] = [];
    const group = (op: "add" | "delete", list: readonly Element[]): void => {
      const bySet = new Map<string, Element[]>();
      for (const e of list) bySet.set(e.set, [...(bySet.get(e.set) ?? []), e]);
      for (const [set, es] of bySet) changes.push({ op, table, set, elements: es.map((e) => e.text) });
    };
    group("delete", remove);
    group("add", add);
    await opts.kernel.nft.updateElements(opts.netns, changes);
  };

  const setPorts = async (endpointId: string, next: PortElements): Promise<void> => {
    const before = ports.get(endpointId) ?? NO_PORTS;
    for (const id of next.mappings.keys()) {
      const owner = mappingOwner.get(id);
      if (owner !== undefined && owner !== endpointId) {
        const e = next.mappings.get(id)!;
        // A clash with existing state, like the allocator's PORT_ALREADY_ALLOCATED: 409, not 400.
        throw bridgeError("PORT_ALREADY_MAPPED", `published port ${e.key} (${e.set}) is already mapped to endpoint ${owner.slice(0, 12)}`, "pick another host port or unpublish the binding that holds it", { key: e.key, owner });
      }
    }
    const diff = diffPorts(before, next, openRefs);
    await applyElements(diff.remove, diff.add);
    updateRefs(openRefs, before, next);
    for (const id of before.mappings.keys()) mappingOwner.delete(id);
    for (const id of next.mappings.keys()) mappingOwner.set(id, endpointId);
    if (next.mappings.size === 0 && next.openings.size === 0) ports.delete(endpointId);
    else ports.set(endpointId, next);
  };

  return {
    addNetwork: (network) =>
      serial(async () => {
        const previous = networks.get(network.id);
        networks.set(network.id, network);
        try {
          await applyAll();
        } catch (e) {
          if (previous) networks.set(network.id, previous);
          else networks.delete(network.id);
          throw e;
        }
      }),

    removeNetwork: (network) =>
      serial(async () => {
        const previous = networks.get(network.id);
        if (!previous) return;
        // Endpoints normally left already; stragglers go too, or their guard elements would
        // jump to a chain that is no longer rendered (nft: No such file or directory).
        const stragglers = [...endpoints].filter(([, ep]) => ep.networkId === network.id);
        const straggling = new Map(stragglers.map(([id]) => [id, ports.get(id)] as const));
        const forget = (): void => {
          for (const [id, p] of straggling) {
            endpoints.delete(id);
            if (!p) continue;
            updateRefs(openRefs, p, NO_PORTS);
            for (const mid of p.mappings.keys()) mappingOwner.delete(mid);
            ports.delete(id);
          }
        };
        const restore = (): void => {
          networks.set(network.id, previous);
          for (const [id, rec] of stragglers) endpoints.set(id, rec);
          for (const [id, p] of straggling) {
            if (!p) continue;
            updateRefs(openRefs, NO_PORTS, p);
            for (const mid of p.mappings.keys()) mappingOwner.set(mid, id);
            ports.set(id, p);
          }
        };
        networks.delete(network.id);
        forget();
        try {
          await applyAll();
        } catch (e) {
          restore();
          throw e;
        }
      }),

    addEndpoint: (network, endpoint) =>
      serial(async () => {
        if (!networks.has(network.id)) {
          throw bridgeError("NETWORK_NOT_FOUND", `bridge firewall has no network '${network.name}'`, "create the network first", { network: network.id });
        }
        const old = endpoints.get(endpoint.id);
        const guards = guardElements(network, endpoint);
        const had = new Set((old?.guards ?? []).map((g) => g.text.text));
        const keep = new Set(guards.map((g) => g.text.text));
        await applyElements(
          (old?.guards ?? []).filter((g) => !keep.has(g.text.text)),
          guards.filter((g) => !had.has(g.text.text)),
        );
        endpoints.set(endpoint.id, { networkId: network.id, guards });
      }),

    removeEndpoint: (_network, endpoint) =>
      serial(async () => {
        const rec = endpoints.get(endpoint.id);
        const p = ports.get(endpoint.id) ?? NO_PORTS;
        if (!rec && p === NO_PORTS) return;
        const diff = diffPorts(p, NO_PORTS, openRefs);
        await applyElements([...(rec?.guards ?? []), ...diff.remove], []);
        updateRefs(openRefs, p, NO_PORTS);
        for (const id of p.mappings.keys()) mappingOwner.delete(id);
        ports.delete(endpoint.id);
        endpoints.delete(endpoint.id);
      }),

    setEndpointPorts: (endpointId: string, desired: EndpointPorts) =>
      serial(async () => {
        const next = portElements(desired);
        if (!endpoints.has(endpointId) && (next.mappings.size > 0 || next.openings.size > 0)) {
          throw bridgeError("ENDPOINT_NOT_FOUND", `bridge firewall has no endpoint ${endpointId.slice(0, 12)}`, "ports can be set only between join and leave", { endpoint: endpointId });
        }
        await setPorts(endpointId, next);
      }),

    reconcile: () =>
      serial(async () => {
        deferred = false;
        await applyAll();
      }),

    verify: () =>
      serial(async () => {
        if (deferred || networks.size === 0) return [];
        const listing = await opts.kernel.nft.listTable(opts.netns, table);
        const rendered = render();
        const differences =
          listing === null
            ? [`table ${table.family} ${table.name} is missing`]
            : fingerprintDiff({ chains: renderedChains(rendered.text), elements: new Map() }, expectedElements(CONTAINER_NAMES, [...[...networks.values()].flatMap(dispatchElements), ...elements()]), fingerprintOf(listing));
        if (differences.length > 0) await opts.kernel.nft.replaceTable(opts.netns, table, rendered);
        return differences;
      }),

    beginRestore() {
      deferred = true;
    },

    load(network, eps) {
      networks.set(network.id, network);
      for (const ep of eps) endpoints.set(ep.id, { networkId: network.id, guards: guardElements(network, ep) });
    },

    elements,
    networks: () => [...networks.values()],
  };
}
