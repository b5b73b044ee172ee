/**
 * Names of netd's nft objects and the text of every element the bridge firewall writes
 * (nftables-layout.md §2–§4). Each element has a key (what nft identifies it by; a map's key
 * is the part before " : ") used to diff recorded state against desired state.
 */
import { nft, nftAddr, nftQuoted, type NftText } from "@netd/driverapi";
import type { BridgeEndpoint, BridgeNetworkConfig, PortMapping, PortOpening } from "../model.js";

/** The per-bridge chain roles, each `<role>__<bridge>`. */
export const BRIDGE_CHAIN_ROLES = ["guard", "fwd_to", "fwd_from", "snat_to", "snat_from"] as const;
export type BridgeChainRole = (typeof BRIDGE_CHAIN_ROLES)[number];

/** Dispatch maps (ifname → verdict) and the chain role each one jumps to. */
export const DISPATCH_MAPS = [
  ["bridge_fwd_to", "fwd_to"],
  ["bridge_fwd_from", "fwd_from"],
  ["bridge_snat_to", "snat_to"],
  ["bridge_snat_from", "snat_from"],
] as const;

/** `fwd_to__br-1a2b…`; bridge names are restricted by options.ts so this is an nft identifier. */
export function chainName(role: BridgeChainRole, bridge: string): string {
  return `${role}__${bridge}`;
}

/** One element of a set or map: which container, its nft key and its full text. */
export interface Element {
  readonly set: string;
  /** Identity inside the set (nft refuses a second element with the same key). */
  readonly key: string;
  readonly text: NftText;
}

/** True when the family is in nat mode on a non-internal network: its endpoints get guards. */
export function guarded(network: BridgeNetworkConfig, family: 4 | 6): boolean {
  if (network.internal) return false;
  return family === 4 ? network.subnet4 !== null && network.mode4 === "nat" : network.subnet6 !== null && network.mode6 === "nat";
}

/** The direct-access guard elements of an endpoint (one per address of a nat-mode family). */
export function guardElements(network: BridgeNetworkConfig, endpoint: Pick<BridgeEndpoint, "ipv4" | "ipv6">): Element[] {
  const out: Element[] = [];
  const jump = chainName("guard", network.bridgeName);
  if (endpoint.ipv4 && guarded(network, 4)) out.push({ set: "guard4", key: endpoint.ipv4, text: nft`${nftAddr(endpoint.ipv4)} : jump ${jump}` });
  if (endpoint.ipv6 && guarded(network, 6)) out.push({ set: "guard6", key: endpoint.ipv6, text: nft`${nftAddr(endpoint.ipv6)} : jump ${jump}` });
  return out;
}

/** The four dispatch elements of a bridge. */
export function dispatchElements(network: BridgeNetworkConfig): Element[] {
  return DISPATCH_MAPS.map(([set, role]) => ({ set, key: network.bridgeName, text: nft`${nftQuoted(network.bridgeName)} : jump ${chainName(role, network.bridgeName)}` }));
}

/** The DNAT element of a mapping: `hostport4/6` for one host address, `anyport4/6` for all. */
export function mappingElement(m: PortMapping): Element {
  const value = nft`${nftAddr(m.containerIp)} . ${m.containerPort}`;
  if (m.hostIp === null) {
    return { set: `anyport${m.family}`, key: `${m.protocol} . ${m.hostPort}`, text: nft`${m.protocol} . ${m.hostPort} : ${value}` };
  }
  return {
    set: `hostport${m.family}`,
    key: `${m.hostIp} . ${m.protocol} . ${m.hostPort}`,
    text: nft`${nftAddr(m.hostIp)} . ${m.protocol} . ${m.hostPort} : ${value}`,
  };
}

/** The filter-opening element of a container port. */
export function openingElement(o: PortOpening): Element {
  const key = `${o.containerIp} . ${o.protocol} . ${o.containerPort}`;
  return { set: `open${o.family}`, key, text: nft`${nftAddr(o.containerIp)} . ${o.protocol} . ${o.containerPort}` };
}

/** `set\u0000key`: identity of an element across sets. */
export function elementId(e: Element): string {
  return `${e.set}\u0000${e.key}`;
}
