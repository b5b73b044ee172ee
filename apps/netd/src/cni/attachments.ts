/**
 * How CNI's objects map onto netd's: one sandbox per CNI_CONTAINERID (labelled with it, using
 * the runtime's namespace), one endpoint per (network, CNI_IFNAME) in it, and the netd network
 * named like the CNI network, created from the config on first use.
 */
import type { Controller, EndpointRecord, NetworkRecord, SandboxRecord } from "@netd/libnet-core";
import { CniCode, CniError } from "./protocol.js";
import type { NetConf } from "./netconf.js";

/** Sandbox label holding the CNI container id. */
export const CONTAINER_LABEL = "io.netd.cni.container-id";
/** Network label marking networks netd-cni created. */
export const NETWORK_LABEL = "io.netd.cni.network";
/** The endpoint driver option that names the interface inside the sandbox. */
export const IFNAME_OPTION = "com.docker.network.endpoint.ifname";

/** The sandbox of a CNI container, if any. */
export function findSandbox(controller: Controller, containerId: string): SandboxRecord | undefined {
  return controller.listSandboxes().find((s) => s.labels[CONTAINER_LABEL] === containerId);
}

/** The network named like the CNI network, if any. */
export function findNetwork(controller: Controller, name: string): NetworkRecord | undefined {
  return controller.listNetworks().find((n) => n.name === name);
}

/** The endpoint of `sandbox` on `network`, if joined. */
export function findEndpoint(controller: Controller, sandbox: SandboxRecord, network: NetworkRecord): EndpointRecord | undefined {
  return controller.listEndpoints({ sandboxId: sandbox.id }).find((e) => e.networkId === network.id);
}

/** The interface name an endpoint asked for (CNI_IFNAME at ADD). */
export function ifnameOf(ep: EndpointRecord): string | undefined {
  return ep.options[IFNAME_OPTION];
}

/**
 * Returns the network for the config, creating it when missing; an existing network must
 * agree with the config (driver, subnet), else the config is refused rather than silently
 * attaching to something else. `created` tells the caller to remove it again if the ADD fails.
 */
export async function ensureNetwork(controller: Controller, conf: NetConf): Promise<{ network: NetworkRecord; created: boolean }> {
  const existing = findNetwork(controller, conf.name);
  if (existing) {
    if (existing.driver !== conf.driver) {
      throw new CniError(CniCode.INVALID_CONFIG, `network '${conf.name}' exists with driver '${existing.driver}', the config says '${conf.driver}'`, "use the same driver in every config of this network, or remove the netd network");
    }
    if (conf.subnet !== undefined && existing.ipv4?.subnet !== conf.subnet) {
      throw new CniError(CniCode.INVALID_CONFIG, `network '${conf.name}' exists with subnet ${existing.ipv4?.subnet ?? "none"}, the config says ${conf.subnet}`, "use the same subnet in every config of this network, or remove the netd network");
    }
    return { network: existing, created: false };
  }
  const v6 = conf.subnet6 !== undefined;
  const network = await controller.createNetwork({
    name: conf.name,
    driver: conf.driver,
    internal: conf.internal,
    enableIPv6: v6,
    ipam: {
      ...(conf.subnet !== undefined ? { ipv4: { subnet: conf.subnet, ...(conf.gateway !== undefined ? { gateway: conf.gateway } : {}) } } : {}),
      ...(v6 && conf.subnet6 !== "auto" ? { ipv6: { subnet: conf.subnet6 } } : {}),
    },
    options: conf.options,
    labels: { [NETWORK_LABEL]: "true" },
  });
  return { network, created: true };
}
