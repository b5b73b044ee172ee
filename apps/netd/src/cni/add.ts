/**
 * ADD: adopt the runtime's namespace as the container's sandbox (first network only), make
 * sure the network exists, join it with the requested address, MAC, gw-priority and
 * interface name, publish the port mappings, and answer the result. All or nothing: a
 * failure removes the sandbox and the network this call created. A repeated ADD of an
 * attachment that exists returns its result again.
 */
import { createHash } from "node:crypto";
import type { PortBinding } from "@netd/driverapi";
import type { EndpointRecord, NetworkRecord, SandboxRecord } from "@netd/libnet-core";
import { CONTAINER_LABEL, IFNAME_OPTION, ensureNetwork, findEndpoint, findSandbox, ifnameOf } from "./attachments.js";
import type { CniDeps } from "./deps.js";
import { deleteSandbox } from "./del.js";
import { CniCode, CniError } from "./protocol.js";
import type { CniRequest } from "./request.js";
import { buildResult } from "./result.js";
import type { CniResult } from "./result.js";

/** A sandbox name for a container id: readable, and unique within netd's 128-character names. */
export function sandboxName(containerId: string): string {
  const name = `cni-${containerId}`;
  return name.length <= 128 ? name : `cni-${containerId.slice(0, 100)}-${createHash("sha256").update(containerId).digest("hex").slice(0, 16)}`;
}

const sameBindings = (a: readonly PortBinding[], b: readonly PortBinding[]) => JSON.stringify(a) === JSON.stringify(b);

/** The existing sandbox of the container, after checking it is in the namespace the runtime named. */
async function reuseSandbox(deps: CniDeps, req: CniRequest): Promise<SandboxRecord | undefined> {
  const sb = findSandbox(deps.controller, req.containerId);
  if (!sb) return undefined;
  const [mine, theirs] = await Promise.all([deps.kernel.netns.identity(req.netns), deps.kernel.netns.identity(sb.netns).catch(() => null)]);
  if (mine === theirs) return sb;
  if (theirs === null) {
    // The container's old namespace is gone and its DEL never came: that sandbox is stale.
    await deleteSandbox(deps, sb.id);
    return undefined;
  }
  throw new CniError(CniCode.CONFLICT, `container ${req.containerId} is already attached in namespace ${sb.netns}, not ${req.netns}`, "DEL the container's attachments before adding it in another namespace");
}

async function result(deps: CniDeps, req: CniRequest, network: NetworkRecord, endpoint: EndpointRecord, sandbox: SandboxRecord): Promise<CniResult> {
  const ifname = endpoint.join?.interfaceName ?? req.ifname;
  const link = await deps.kernel.links.get(req.netns, ifname).catch(() => null);
  // The DNS servers this attachment can reach: the network's, in the families the endpoint has
  // (once a network created by this ADD has its listeners bound).
  await deps.dns?.settled();
  const nameservers = (deps.dns?.servers(network.id) ?? []).filter((a) => (a.includes(":") ? endpoint.ipv6 : endpoint.ipv4) !== null);
  return buildResult({ controller: deps.controller, cniVersion: req.cniVersion, network, endpoint, sandbox, netns: req.netns, mac: link?.mac || endpoint.mac || undefined, prevResult: req.conf.prevResult, nameservers });
}

/** Runs ADD; the caller holds the container's lock. */
export async function cniAdd(deps: CniDeps, req: CniRequest): Promise<CniResult> {
  const { controller, kernel } = deps;
  const conf = req.conf;
  if (!(await kernel.netns.exists(req.netns))) {
    throw new CniError(CniCode.UNKNOWN_CONTAINER, `CNI_NETNS ${req.netns} does not exist`, "start the container (its namespace) before ADD");
  }
  let sandbox = await reuseSandbox(deps, req);
  const { network, created: createdNetwork } = await deps.networkLock.run("*", () => ensureNetwork(controller, conf));
  let createdSandbox = false;
  try {
    if (sandbox) {
      const ep = findEndpoint(controller, sandbox, network);
      if (ep) {
        if ((ifnameOf(ep) ?? ep.join?.interfaceName) === req.ifname) return await result(deps, req, network, ep, sandbox);
        throw new CniError(CniCode.CONFLICT, `container ${req.containerId} is already on network '${conf.name}' as ${ifnameOf(ep) ?? "another interface"}`, "DEL that attachment first; netd joins a container to a network once");
      }
      if (conf.portBindings.length > 0 && !sameBindings(conf.portBindings, sandbox.portBindings)) {
        throw new CniError(CniCode.CONFLICT, `container ${req.containerId} already publishes ${JSON.stringify(sandbox.portBindings)} from its first network; this network asks for other port mappings`, "give every network of the container the same portMappings, or only the first one");
      }
    } else {
      sandbox = await controller.createSandbox({
        name: sandboxName(req.containerId),
        netns: req.netns,
        portBindings: conf.portBindings,
        labels: { [CONTAINER_LABEL]: req.containerId },
      }, { durable: false }); // The connect below commits durably before ADD answers, covering this write.
      createdSandbox = true;
    }
    const endpoint = await controller.connect(network.id, sandbox.id, {
      ...(conf.ips.v4 ? { ipv4Address: conf.ips.v4 } : {}),
      ...(conf.ips.v6 ? { ipv6Address: conf.ips.v6 } : {}),
      ...(conf.mac ? { macAddress: conf.mac } : {}),
      gwPriority: conf.gwPriority,
      driverOpts: { [IFNAME_OPTION]: req.ifname },
    });
    deps.events?.emit("network", "connect", network.id, { container: sandbox.id, name: network.name, type: network.driver });
    return await result(deps, req, network, endpoint, sandbox);
  } catch (e) {
    if (createdSandbox && sandbox) await deleteSandbox(deps, sandbox.id).catch(() => undefined);
    if (createdNetwork && controller.listEndpoints({ networkId: network.id }).length === 0) {
      await deps.networkLock.run("*", () => controller.deleteNetwork(network.id)).catch(() => undefined);
    }
    throw e;
  }
}
