/**
 * The golden-file cases of the bridge firewall: the option matrix (icc × internal ×
 * masquerade × gateway mode × userland proxy), a mixed nat4/routed6 network and a state with
 * published ports. Shared by the unit test (render from state, compare with the file) and the
 * integration test (apply through the real kernel, compare the kernel's listing).
 */
import type { BridgeEndpoint, BridgeNetworkConfig, EndpointPorts, GatewayMode } from "../../src/model.js";
import { bridgeNetworkConfig } from "../support/network-config.js";

export interface GoldenCase {
  /** File name without `.nft`. */
  readonly name: string;
  readonly userlandProxy: boolean;
  readonly networks: readonly BridgeNetworkConfig[];
  readonly endpoints: ReadonlyArray<{ readonly network: string; readonly endpoint: BridgeEndpoint }>;
  readonly ports: ReadonlyArray<{ readonly endpoint: string; readonly ports: EndpointPorts }>;
}

export function network(over: Partial<BridgeNetworkConfig> & { id: string; n: number }): BridgeNetworkConfig {
  const { n, ...rest } = over;
  return bridgeNetworkConfig({ name: `net${n}`, bridgeName: `br-g${n}`, subnet4: `10.31.${n}.0/24`, subnet6: `fd00:31:${n}::/64`, ...rest });
}

export function endpoint(net: BridgeNetworkConfig, host: number, id: string): BridgeEndpoint {
  const n = net.subnet4?.split(".")[2] ?? "0";
  return {
    id,
    networkId: net.id,
    sandboxId: `sb-${id}`,
    netns: `/run/netns/sb-${id}`,
    hostIfname: `veth${id.slice(0, 7)}`,
    ifname: "eth0",
    ipv4: net.subnet4 ? `10.31.${n}.${host}` : null,
    ipv6: net.subnet6 ? `fd00:31:${n}::${host}` : null,
    mac: "02:00:00:00:00:01",
  };
}

function matrixCase(internal: boolean, mode: GatewayMode, icc: boolean, masquerade: boolean, proxy: boolean): GoldenCase {
  const net = network({ id: "n1", n: 1, internal, icc, masquerade, mode4: mode, mode6: mode });
  const name = `${internal ? "internal" : "external"}-${mode}-icc${icc ? "on" : "off"}-masq${masquerade ? "on" : "off"}-proxy${proxy ? "on" : "off"}`;
  return { name, userlandProxy: proxy, networks: [net], endpoints: [{ network: net.id, endpoint: endpoint(net, 2, "e1a2b3c4d5") }], ports: [] };
}

function cases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const internal of [false, true]) {
    const modes: GatewayMode[] = internal ? ["nat", "isolated"] : ["nat", "nat-unprotected", "routed"];
    for (const mode of modes) for (const icc of [true, false]) for (const masq of [true, false]) for (const proxy of [true, false]) out.push(matrixCase(internal, mode, icc, masq, proxy));
  }
  const mixed = network({ id: "n2", n: 2, mode4: "nat", mode6: "routed", hostIpv4: "198.51.100.10" });
  out.push({ name: "mixed-nat4-routed6-snat", userlandProxy: true, networks: [mixed], endpoints: [{ network: mixed.id, endpoint: endpoint(mixed, 2, "e2a2b3c4d5") }], ports: [] });

  const a = network({ id: "n3", n: 3 });
  const b = network({ id: "n4", n: 4, mode4: "routed", mode6: "routed" });
  const v4only = network({ id: "n5", n: 5, subnet6: null, gateway6: null, hostIpv4: "198.51.100.10" });
  const ea = endpoint(a, 2, "e3a2b3c4d5");
  const ea2 = endpoint(a, 3, "e3b2b3c4d5");
  const eb = endpoint(b, 2, "e4a2b3c4d5");
  const ec = endpoint(v4only, 2, "e5a2b3c4d5");
  out.push({
    name: "ports-three-networks-proxyoff",
    userlandProxy: false,
    networks: [a, b, v4only],
    endpoints: [
      { network: a.id, endpoint: ea },
      { network: a.id, endpoint: ea2 },
      { network: b.id, endpoint: eb },
      { network: v4only.id, endpoint: ec },
    ],
    ports: [
      {
        endpoint: ea.id,
        ports: {
          mappings: [
            { family: 4, protocol: "tcp", hostIp: null, hostPort: 8080, containerIp: ea.ipv4!, containerPort: 80 },
            { family: 6, protocol: "tcp", hostIp: null, hostPort: 8080, containerIp: ea.ipv6!, containerPort: 80 },
            { family: 4, protocol: "tcp", hostIp: "198.51.100.10", hostPort: 9090, containerIp: ea.ipv4!, containerPort: 80 },
            { family: 6, protocol: "tcp", hostIp: "2001:db8:31::10", hostPort: 9090, containerIp: ea.ipv6!, containerPort: 80 },
            { family: 4, protocol: "udp", hostIp: "127.0.0.1", hostPort: 5353, containerIp: ea.ipv4!, containerPort: 53 },
          ],
          openings: [
            { family: 4, protocol: "tcp", containerIp: ea.ipv4!, containerPort: 80 },
            { family: 6, protocol: "tcp", containerIp: ea.ipv6!, containerPort: 80 },
            { family: 4, protocol: "udp", containerIp: ea.ipv4!, containerPort: 53 },
          ],
        },
      },
      {
        endpoint: eb.id,
        ports: {
          mappings: [],
          openings: [
            { family: 4, protocol: "tcp", containerIp: eb.ipv4!, containerPort: 443 },
            { family: 6, protocol: "tcp", containerIp: eb.ipv6!, containerPort: 443 },
          ],
        },
      },
      {
        endpoint: ec.id,
        ports: {
          mappings: [{ family: 4, protocol: "sctp", hostIp: null, hostPort: 3868, containerIp: ec.ipv4!, containerPort: 3868 }],
          openings: [{ family: 4, protocol: "sctp", containerIp: ec.ipv4!, containerPort: 3868 }],
        },
      },
    ],
  });
  return out;
}

export const GOLDEN_CASES: readonly GoldenCase[] = cases();
