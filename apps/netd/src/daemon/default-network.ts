/**
 * The default network, like dockerd's `bridge` on docker0: created at start when missing, so
 * `netd run` without --network gets outside connectivity as `docker run` does. Its subnet is
 * the first of Docker's default pools (172.17.0.0/16, 172.18.0.0/16, …, then 192.168.x.0/20)
 * that overlaps no host route and no other network; its Linux bridge is `netd0`. It cannot be
 * removed or pruned; `defaultBridge: false` (`--default-bridge=false`) turns it off.
 */
import { NetdError } from "@netd/driverapi";
import type { Controller, NetworkRecord } from "@netd/libnet-core";
import type { HostView } from "../api/host-guard/host-view.js";
import { freeDefaultSubnet } from "../api/host-guard/subnet-guard.js";

export const DEFAULT_NETWORK_NAME = "bridge";
export const DEFAULT_BRIDGE_DEVICE = "netd0";
const BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";

/** True for the network this module created (by name and bridge device, not by name alone). */
export function isDefaultNetwork(n: Pick<NetworkRecord, "name" | "driver" | "options">): boolean {
  return n.name === DEFAULT_NETWORK_NAME && n.driver === "bridge" && n.options[BRIDGE_NAME_OPTION] === DEFAULT_BRIDGE_DEVICE;
}

/** Docker's refusal to remove a predefined network (403). */
export function predefinedNetworkError(name: string): NetdError {
  return new NetdError({ code: "NETWORK_PREDEFINED", category: "forbidden", message: `${name} is a pre-defined network and cannot be removed`, hint: "start the daemon with --default-bridge=false to go without it", details: { network: name } });
}

/** Creates the default network unless one named `bridge` exists; returns it, or null when that name is taken by another network. */
export async function ensureDefaultNetwork(controller: Controller, host: HostView): Promise<{ network: NetworkRecord; created: boolean } | null> {
  const existing = controller.listNetworks().find((n) => n.name === DEFAULT_NETWORK_NAME);
  if (existing) return isDefaultNetwork(existing) ? { network: existing, created: false } : null;
  const taken = controller.listNetworks().flatMap((n) => [n.ipv4?.subnet, n.ipv6?.subnet].filter((s): s is string => s !== undefined));
  const subnet = await freeDefaultSubnet(taken, host);
  if (subnet === null) throw new NetdError({ code: "POOLS_EXHAUSTED", category: "conflict", message: "no subnet of Docker's default pools is free on this host for the default network", hint: "start with --default-bridge=false, or free one of 172.17-31.0.0/16", details: {} });
  const network = await controller.createNetwork({ name: DEFAULT_NETWORK_NAME, driver: "bridge", enableIPv4: true, enableIPv6: false, internal: false, ipam: { ipv4: { subnet } }, options: { [BRIDGE_NAME_OPTION]: DEFAULT_BRIDGE_DEVICE }, labels: {} });
  return { network, created: true };
}
