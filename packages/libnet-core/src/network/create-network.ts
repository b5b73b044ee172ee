import type { IpamFamilyRequest } from "../ipam/index.js";
import type { Core } from "../core.js";
import { contextFor, toNetworkInfo } from "../core.js";
import { coreError } from "../errors.js";
import { newId } from "../ids.js";
import type { NetworkRecord } from "../model.js";
import { UndoStack, wrapError } from "@netd/driverapi";
import { checkBoolean, checkName, checkStringMap } from "../validate.js";

/** What a caller asks for when creating a network (Docker's `network create`). */
export interface CreateNetworkRequest {
  readonly name: string;
  /** Driver name; default "bridge". */
  readonly driver?: string;
  readonly internal?: boolean;
  /** Default true. */
  readonly enableIPv4?: boolean;
  /** Default false. */
  readonly enableIPv6?: boolean;
  /** Explicit subnets, ranges and gateways per family; absent = automatic. */
  readonly ipam?: { readonly ipv4?: IpamFamilyRequest; readonly ipv6?: IpamFamilyRequest };
  /**
   * Prefixes an automatic subnet must not overlap (the daemon passes the host's routes, as
   * dockerd skips pools the host routes); explicit subnets are not checked against these.
   * Absent or empty: only other networks' subnets are avoided.
   */
  readonly avoidSubnets?: readonly string[];
  readonly options?: Record<string, string>;
  readonly labels?: Record<string, string>;
}

/**
 * Validates, allocates pools, writes the intent, lets the driver create the network, then
 * commits it (reference §1.2). Any failure undoes the earlier steps in reverse. The caller
 * serialises network creation (names are unique).
 */
export async function createNetwork(core: Core, req: CreateNetworkRequest): Promise<NetworkRecord> {
  const name = checkName("network", req?.name);
  if ([...core.state.networks.values()].some((n) => n.name === name)) {
    throw coreError("NETWORK_EXISTS", `network with name '${name}' already exists`, "pick another name or remove the existing network", { name });
  }
  const driver = core.registry.get(req.driver ?? "bridge");
  const internal = checkBoolean("internal", req.internal, false);
  const v4 = checkBoolean("enableIPv4", req.enableIPv4, true);
  const v6 = checkBoolean("enableIPv6", req.enableIPv6, false);
  if (!v4 && !v6) {
    throw coreError("INVALID_ARGUMENT", `network '${name}' enables neither IPv4 nor IPv6`, "enable IPv4, IPv6 or both");
  }
  if ((v4 && !driver.capabilities.supportsIPv4) || (v6 && !driver.capabilities.supportsIPv6)) {
    throw coreError("FAMILY_UNSUPPORTED", `driver '${driver.name}' does not support ${v4 && !driver.capabilities.supportsIPv4 ? "IPv4" : "IPv6"}`, "disable that family or pick another driver");
  }
  if (!v4 && req.ipam?.ipv4) throw coreError("INVALID_ARGUMENT", `network '${name}' has an IPv4 subnet but IPv4 is disabled`, "enable IPv4 or drop the IPv4 subnet");
  if (!v6 && req.ipam?.ipv6) throw coreError("INVALID_ARGUMENT", `network '${name}' has an IPv6 subnet but IPv6 is disabled`, "enable IPv6 (--ipv6) or drop the IPv6 subnet");
  const options = checkStringMap("option", req.options);
  const labels = checkStringMap("label", req.labels);

  const id = newId();
  const undo = new UndoStack();
  try {
    const alloc = core.ipam.allocateNetwork({
      networkId: id,
      networkName: name,
      ipv4: v4 ? (req.ipam?.ipv4 ?? {}) : null,
      ipv6: v6 ? (req.ipam?.ipv6 ?? {}) : null,
      reserveGateway: driver.capabilities.needsGatewayAddress,
      ...(req.avoidSubnets ? { avoid: req.avoidSubnets } : {}),
    });
    undo.push("IPAM allocation", () => core.ipam.releaseNetwork(id));
    const record: NetworkRecord = { id, name, driver: driver.name, internal, ipv4: alloc.ipv4, ipv6: alloc.ipv6, options, labels, created: new Date().toISOString() };
    const txn = await core.begin({ op: "createNetwork", network: record });
    undo.push("transaction", () => txn.abandon());
    const ctx = contextFor(core, driver, txn);
    try {
      await driver.createNetwork(ctx, toNetworkInfo(record));
    } catch (e) {
      throw wrapError(`failed to create network '${name}' with driver '${driver.name}'`, e);
    }
    undo.push(`driver ${driver.name} network`, () => driver.deleteNetwork(ctx, toNetworkInfo(record)));
    txn.put("network", id, record);
    await txn.commit();
    core.state.networks.set(id, record);
    undo.commit();
    core.log.info("network created", { network: name, id, driver: driver.name });
    return record;
  } catch (e) {
    const failures = await undo.rollback();
    for (const f of failures) core.log.error("rollback step failed", { network: name, error: f.message });
    throw e;
  }
}
