import { UndoStack, wrapError } from "@netd/driverapi";
import type { CreateEndpointResult } from "@netd/driverapi";
import type { Core } from "../core.js";
import { contextFor, toEndpointInfo, toNetworkInfo } from "../core.js";
import { coreError } from "../errors.js";
import { newId } from "../ids.js";
import type { EndpointRecord, NetworkRecord } from "../model.js";
import type { Txn } from "../txn/transaction.js";
import { checkInteger, checkMac, checkStringMap } from "../validate.js";

/** Endpoint settings (Docker's `EndpointConfig`); every field optional. */
export interface EndpointConfig {
  /** Static IPv4 address without prefix; empty or absent = allocate. */
  readonly ipv4Address?: string;
  readonly ipv6Address?: string;
  readonly macAddress?: string;
  readonly aliases?: readonly string[];
  /** Gateway priority; higher wins; default 0; negative allowed. */
  readonly gwPriority?: number;
  /** Endpoint driver options (`--driver-opt`). */
  readonly driverOpts?: Record<string, string>;
}

/** A created endpoint, staged in its operation's transaction; `undo` takes it back (rewinding IPAM). */
export interface CreatedEndpoint {
  readonly record: EndpointRecord;
  readonly txn: Txn;
  undo(): Promise<void>;
}

/**
 * Validates, assigns addresses, writes the operation's intent (a connect to `joinTo`, or a
 * plain create when null), lets the driver create the endpoint and stages the record in the
 * transaction (reference §1.4). The caller commits (or joins, which commits) or calls `undo`.
 * The caller holds the network lock.
 */
export async function createEndpoint(core: Core, network: NetworkRecord, config: EndpointConfig = {}, joinTo: string | null = null): Promise<CreatedEndpoint> {
  const mac = checkMac(config.macAddress);
  const gwPriority = checkInteger("gwPriority", config.gwPriority, 0, -(2 ** 31), 2 ** 31 - 1);
  const options = checkStringMap("driver option", config.driverOpts);
  const aliases: readonly unknown[] = config.aliases ?? [];
  if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== "string" || a.length === 0)) {
    throw coreError("INVALID_ARGUMENT", `aliases must be non-empty strings, got ${JSON.stringify(aliases)}`, "pass a list of names");
  }
  const want4 = config.ipv4Address || undefined;
  const want6 = config.ipv6Address || undefined;
  if (want4 && !network.ipv4) {
    throw coreError("INVALID_ARGUMENT", `network '${network.name}' has no IPv4, cannot assign ${want4}`, "drop the IPv4 address or use a network with IPv4");
  }
  if (want6 && !network.ipv6) {
    throw coreError("INVALID_ARGUMENT", `network '${network.name}' has no IPv6, cannot assign ${want6}`, "drop the IPv6 address or create the network with --ipv6");
  }
  const driver = core.registry.get(network.driver);
  const id = newId();
  const undo = new UndoStack();
  try {
    const ipv4 = network.ipv4 ? core.ipam.allocateAddress(network.id, 4, want4) : null;
    if (ipv4) undo.push("IPv4 address", () => core.ipam.releaseAddress(network.id, 4, ipv4, { rewind: true }));
    const ipv6 = network.ipv6 ? core.ipam.allocateAddress(network.id, 6, want6) : null;
    if (ipv6) undo.push("IPv6 address", () => core.ipam.releaseAddress(network.id, 6, ipv6, { rewind: true }));
    let record: EndpointRecord = { id, networkId: network.id, ipv4, ipv6, mac, options, aliases: aliases as string[], gwPriority, sandboxId: null, join: null };
    const txn = await core.begin({ op: "connect", endpoint: record, sandboxId: joinTo });
    undo.push("transaction", () => txn.abandon());
    const ctx = contextFor(core, driver, txn);
    if (driver.createEndpoint) {
      let result: CreateEndpointResult | void;
      try {
        result = await driver.createEndpoint(ctx, toNetworkInfo(network), toEndpointInfo(record));
      } catch (e) {
        throw wrapError(`failed to create endpoint on network '${network.name}'`, e);
      }
      if (result?.mac && !mac) record = { ...record, mac: result.mac };
    }
    const created = record;
    if (driver.deleteEndpoint) undo.push(`driver ${driver.name} endpoint`, () => driver.deleteEndpoint!(ctx, toNetworkInfo(network), toEndpointInfo(created)));
    txn.put("endpoint", id, record);
    core.state.endpoints.set(id, record);
    undo.push("endpoint record", () => void core.state.endpoints.delete(id));
    return {
      record,
      txn,
      async undo() {
        for (const f of await undo.rollback()) core.log.error("endpoint rollback step failed", { network: network.name, error: f.message });
      },
    };
  } catch (e) {
    const failures = await undo.rollback();
    for (const f of failures) core.log.error("rollback step failed", { network: network.name, error: f.message });
    throw e;
  }
}
