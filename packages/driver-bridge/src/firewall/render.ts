/**
 * Renders the whole `table inet <table>` body from the firewall's recorded state
 * (nftables-layout.md §2): element containers, the fixed base chains and every bridge's
 * chains. Used for network add/remove and reconcile (one atomic replaceTable) and for the
 * golden files. Output is deterministic: networks by bridge name, elements sorted.
 */
import { nft, nftJoin, type NftText } from "@netd/driverapi";
import type { BridgeNetworkConfig } from "../model.js";
import { dispatchElements, type Element } from "./elements.js";
import { renderBridgeChains } from "./render-bridge.js";

/** Everything the renderer needs; the firewall keeps it, tests build it by hand. */
export interface RenderInput {
  readonly userlandProxy: boolean;
  readonly networks: readonly BridgeNetworkConfig[];
  /** Endpoint and port elements (guards, mappings, openings), in any order. */
  readonly elements: readonly Element[];
}

/** Element containers in declaration order, with their nft types (layout §7 L1: `type`, not `typeof`). */
const CONTAINERS: ReadonlyArray<readonly [kind: "map" | "set", name: string, type: NftText]> = [
  ["map", "bridge_fwd_to", nft`ifname : verdict`],
  ["map", "bridge_fwd_from", nft`ifname : verdict`],
  ["map", "bridge_snat_to", nft`ifname : verdict`],
  ["map", "bridge_snat_from", nft`ifname : verdict`],
  ["map", "guard4", nft`ipv4_addr : verdict`],
  ["map", "guard6", nft`ipv6_addr : verdict`],
  ["map", "hostport4", nft`ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service`],
  ["map", "hostport6", nft`ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service`],
  ["map", "anyport4", nft`inet_proto . inet_service : ipv4_addr . inet_service`],
  ["map", "anyport6", nft`inet_proto . inet_service : ipv6_addr . inet_service`],
  ["set", "open4", nft`ipv4_addr . inet_proto . inet_service`],
  ["set", "open6", nft`ipv6_addr . inet_proto . inet_service`],
];

/** Names of every set and map the table declares. */
export const CONTAINER_NAMES: readonly string[] = CONTAINERS.map(([, name]) => name);

function container(kind: "map" | "set", name: string, type: NftText, elements: readonly NftText[]): NftText {
  const lines = [nft`\t${kind} ${name} {`, nft`\t\ttype ${type}`];
  if (elements.length > 0) {
    lines.push(nft`\t\telements = { ${nftJoin(elements, ",\n\t\t\t     ")} }`);
  }
  lines.push(nft`\t}`);
  return nftJoin(lines);
}

function baseChains(userlandProxy: boolean): NftText[] {
  // With the proxy on, host → 127.0.0.0/8 goes to the proxy: bridges then have no
  // route_localnet, so a DNAT of loopback traffic would be dropped by the kernel.
  const loopback = userlandProxy ? [nft`\t\tip daddr 127.0.0.0/8 return`] : [];
  return [
    nftJoin([
      nft`\tchain raw_prerouting {`,
      nft`\t\ttype filter hook prerouting priority raw; policy accept;`,
      nft`\t\tiifname != "lo" ip daddr 127.0.0.0/8 counter drop`,
      nft`\t\tip daddr vmap @guard4`,
      nft`\t\tip6 daddr vmap @guard6`,
      nft`\t}`,
    ]),
    nftJoin([
      nft`\tchain nat_prerouting {`,
      nft`\t\ttype nat hook prerouting priority dstnat; policy accept;`,
      nft`\t\tfib daddr type local goto published`,
      nft`\t}`,
    ]),
    nftJoin([
      nft`\tchain nat_output {`,
      // 'dstnat' is refused for the output hook by nft 1.0.6 (layout §7 L9).
      nft`\t\ttype nat hook output priority -100; policy accept;`,
      ...loopback,
      nft`\t\tip6 daddr ::1 return`,
      nft`\t\tfib daddr type local goto published`,
      nft`\t}`,
    ]),
    nftJoin([
      nft`\tchain filter_forward {`,
      nft`\t\ttype filter hook forward priority filter; policy accept;`,
      nft`\t\toifname vmap @bridge_fwd_to`,
      nft`\t\tiifname vmap @bridge_fwd_from`,
      nft`\t}`,
    ]),
    nftJoin([
      nft`\tchain nat_postrouting {`,
      nft`\t\ttype nat hook postrouting priority srcnat; policy accept;`,
      nft`\t\toifname vmap @bridge_snat_to`,
      nft`\t\tiifname vmap @bridge_snat_from`,
      nft`\t}`,
    ]),
    nftJoin([
      nft`\tchain published {`,
      nft`\t\tdnat ip to ip daddr . meta l4proto . th dport map @hostport4`,
      nft`\t\tdnat ip6 to ip6 daddr . meta l4proto . th dport map @hostport6`,
      nft`\t\tmeta nfproto ipv4 dnat ip to meta l4proto . th dport map @anyport4`,
      nft`\t\tmeta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @anyport6`,
      nft`\t}`,
    ]),
  ];
}

/** The table body (what goes inside `table inet <table> { … }`). */
export function renderTable(input: RenderInput): NftText {
  const networks = [...input.networks].sort((a, b) => (a.bridgeName < b.bridgeName ? -1 : a.bridgeName > b.bridgeName ? 1 : 0));
  const bySet = new Map<string, NftText[]>();
  const add = (e: Element): void => {
    const list = bySet.get(e.set) ?? [];
    list.push(e.text);
    bySet.set(e.set, list);
  };
  for (const n of networks) dispatchElements(n).forEach(add);
  input.elements.forEach(add);
  const parts: NftText[] = [];
  for (const [kind, name, type] of CONTAINERS) {
    const texts = [...(bySet.get(name) ?? [])].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    parts.push(container(kind, name, type, texts));
  }
  parts.push(...baseChains(input.userlandProxy));
  for (const n of networks) parts.push(...renderBridgeChains(n, input.userlandProxy));
  return nft`${nftJoin(parts, "\n\n")}\n`;
}

/** The full script `nft -f` would take: the replace header plus the table (golden files, tests). */
export function renderScript(table: string, body: NftText): string {
  return `table inet ${table}\ndelete table inet ${table}\ntable inet ${table} {\n${body.text}}\n`;
}
