/**
 * The per-bridge chains of one network (nftables-layout.md §2–§3), with each family's lines
 * emitted for its own gateway mode (reference §4.8 matrix), so mixed modes (nat4/routed6)
 * need no special case.
 */
import { nft, nftAddr, nftJoin, nftPrefix, nftQuoted, type NftText } from "@netd/driverapi";
import type { BridgeNetworkConfig, GatewayMode } from "../model.js";
import { chainName, guarded, type BridgeChainRole } from "./elements.js";

interface Family {
  readonly f: 4 | 6;
  /** `ip` or `ip6`: the payload keyword and the NAT family. */
  readonly kw: "ip" | "ip6";
  readonly subnet: string;
  readonly mode: GatewayMode;
  readonly hostIp: string | null;
}

function families(n: BridgeNetworkConfig): Family[] {
  const out: Family[] = [];
  if (n.subnet4) out.push({ f: 4, kw: "ip", subnet: n.subnet4, mode: n.mode4, hostIp: n.hostIpv4 });
  if (n.subnet6) out.push({ f: 6, kw: "ip6", subnet: n.subnet6, mode: n.mode6, hostIp: n.hostIpv6 });
  return out;
}

const natting = (mode: GatewayMode): boolean => mode === "nat" || mode === "nat-unprotected";

function chain(role: BridgeChainRole, bridge: string, lines: readonly NftText[]): NftText {
  const body = lines.map((l) => nft`\t\t${l}`);
  return nft`\tchain ${chainName(role, bridge)} {\n${nftJoin(body.length ? [...body, nft``] : [])}\t}`;
}

/** Traffic entering the bridge (forward, by oifname); always ends in a drop. */
function fwdTo(n: BridgeNetworkConfig, br: NftText): NftText[] {
  const lines: NftText[] = [];
  if (!n.internal) lines.push(nft`ct state established,related accept`, nft`ct state invalid drop`);
  if (n.icc) lines.push(nft`iifname ${br} accept`);
  else {
    // icc off still lets a neighbour use a port published on the host, as Docker's proxy
    // does: only DNATed flows, i.e. published ports (cross-bridge ones pass their opening too).
    if (!n.internal) lines.push(nft`ct status dnat accept`);
    lines.push(nft`iifname ${br} drop`);
  }
  if (!n.internal) {
    for (const fam of families(n)) {
      if (fam.mode === "nat-unprotected") {
        lines.push(nft`meta nfproto ${fam.f === 4 ? "ipv4" : "ipv6"} accept`);
        continue;
      }
      lines.push(nft`${fam.kw} daddr . meta l4proto . th dport @${`open${fam.f}`} accept`);
      if (fam.mode === "routed") lines.push(nft`meta l4proto ${fam.f === 4 ? "icmp" : "ipv6-icmp"} accept`);
    }
  }
  lines.push(nft`counter drop`);
  return lines;
}

/** Hairpin (a container reaching a published port of its own bridge) and host loopback. */
function snatTo(n: BridgeNetworkConfig, userlandProxy: boolean): NftText[] {
  if (n.internal) return [];
  const lines: NftText[] = [];
  for (const fam of families(n)) {
    if (natting(fam.mode)) lines.push(nft`${fam.kw} saddr ${nftPrefix(fam.subnet)} ct status dnat masquerade`);
  }
  // 127.0.0.1 is DNATed to the bridge only when the proxy is off (route_localnet=1 then).
  if (!userlandProxy && n.subnet4 && natting(n.mode4)) lines.push(nft`ip saddr 127.0.0.0/8 masquerade`);
  return lines;
}

/** Egress masquerade or SNAT to host_ipv4/host_ipv6 for traffic leaving the bridge. */
function snatFrom(n: BridgeNetworkConfig, br: NftText): NftText[] {
  if (n.internal || !n.masquerade) return [];
  const lines: NftText[] = [];
  for (const fam of families(n)) {
    if (!natting(fam.mode)) continue;
    const src = nftPrefix(fam.subnet);
    lines.push(fam.hostIp ? nft`${fam.kw} saddr ${src} snat ${fam.kw} to ${nftAddr(fam.hostIp)}` : nft`${fam.kw} saddr ${src} masquerade`);
  }
  return lines.length ? [nft`oifname ${br} return`, ...lines] : [];
}

/** Renders the network's chains (guard only when a family is in nat mode). */
export function renderBridgeChains(n: BridgeNetworkConfig, userlandProxy: boolean): NftText[] {
  const br = nftQuoted(n.bridgeName);
  const out: NftText[] = [];
  if (guarded(n, 4) || guarded(n, 6)) out.push(chain("guard", n.bridgeName, [nft`iifname != ${br} counter drop`]));
  out.push(chain("fwd_to", n.bridgeName, fwdTo(n, br)));
  out.push(chain("fwd_from", n.bridgeName, [n.internal ? nft`counter drop` : nft`accept`]));
  out.push(chain("snat_to", n.bridgeName, snatTo(n, userlandProxy)));
  out.push(chain("snat_from", n.bridgeName, snatFrom(n, br)));
  return out;
}
