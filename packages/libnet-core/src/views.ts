/** Records as drivers see them (driverapi's infos). */
import type { Driver, EndpointInfo, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import type { EndpointRecord, NetworkRecord, SandboxRecord } from "./model.js";

export function toNetworkInfo(n: NetworkRecord): NetworkInfo {
  return { id: n.id, name: n.name, driver: n.driver, internal: n.internal, ipv4: n.ipv4, ipv6: n.ipv6, options: n.options, labels: n.labels };
}

export function toEndpointInfo(e: EndpointRecord): EndpointInfo {
  return { id: e.id, networkId: e.networkId, ipv4: e.ipv4, ipv6: e.ipv6, mac: e.mac, options: e.options };
}

/** The sandbox as `driver` sees it: port bindings only for drivers that publish ports. */
export function toSandboxInfo(s: SandboxRecord, driver: Driver): SandboxInfo {
  const publishes = driver.capabilities.publishesPorts;
  return { id: s.id, name: s.name, netns: s.netns, portBindings: publishes ? s.portBindings : [], exposedPorts: publishes ? s.exposedPorts : [] };
}

