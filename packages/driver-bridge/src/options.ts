/**
 * Network and endpoint options of the bridge driver (reference §4.2): parsed and validated
 * from NetworkInfo before any kernel call. Unknown keys are errors (Docker ignores them;
 * netd names them so a typo does not silently give a default network).
 */
import { isIP } from "node:net";
import type { EndpointInfo, NetworkInfo } from "@netd/driverapi";
import { IFNAME_RULE, interfaceNameProblem } from "@netd/driverapi";
import { bridgeError } from "./errors.js";
import type { BridgeNetworkConfig, GatewayMode } from "./model.js";

/** Option keys accepted by `createNetwork` (`docker network create -o KEY=VALUE`). */
export const NETWORK_OPTIONS = {
  bridgeName: "com.docker.network.bridge.name",
  enableIcc: "com.docker.network.bridge.enable_icc",
  enableIpMasquerade: "com.docker.network.bridge.enable_ip_masquerade",
  gatewayModeIpv4: "com.docker.network.bridge.gateway_mode_ipv4",
  gatewayModeIpv6: "com.docker.network.bridge.gateway_mode_ipv6",
  inhibitIpv4: "com.docker.network.bridge.inhibit_ipv4",
  hostBindingIpv4: "com.docker.network.bridge.host_binding_ipv4",
  hostIpv4: "com.docker.network.host_ipv4",
  hostIpv6: "com.docker.network.host_ipv6",
  containerIfacePrefix: "com.docker.network.container_iface_prefix",
  mtu: "com.docker.network.driver.mtu",
  /** netd's DNS service for the network (default true); served by the daemon, only validated here. */
  dns: "com.netd.dns",
} as const;

/** Option keys accepted per endpoint (`--driver-opt KEY=VALUE`). */
export const ENDPOINT_OPTIONS = {
  ifname: "com.docker.network.endpoint.ifname",
} as const;

const GATEWAY_MODES: readonly GatewayMode[] = ["nat", "nat-unprotected", "routed", "isolated"];
const IF_PREFIX = /^[A-Za-z][A-Za-z0-9_.-]{0,11}$/;

/** Parses Go's strconv.ParseBool spellings, as Docker does for these labels. */
function parseBool(key: string, value: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw bridgeError("INVALID_OPTION", `option ${key} has invalid value '${value}'`, "use true or false", { key, value });
}

function parseMode(key: string, value: string | undefined): GatewayMode {
  if (value === undefined || value === "") return "nat";
  if ((GATEWAY_MODES as readonly string[]).includes(value)) return value as GatewayMode;
  throw bridgeError("INVALID_OPTION", `option ${key} has invalid value '${value}'`, `use one of ${GATEWAY_MODES.join(", ")}`, { key, value });
}

function parseAddress(key: string, value: string, family: 0 | 4 | 6): string {
  const got = isIP(value);
  if (got === 0 || (family !== 0 && got !== family)) {
    const what = family === 0 ? "an IP address" : `an IPv${family} address`;
    throw bridgeError("INVALID_OPTION", `option ${key} has invalid value '${value}'`, `give ${what}`, { key, value });
  }
  return value;
}

/**
 * Checks a user-given interface name (bridge name, endpoint ifname) with the shared rule
 * of @netd/driverapi before anything reaches the kernel. Bridge names also end up in nft
 * chain names (nftables-layout.md §7 L11), which the rule's narrow character set keeps safe.
 */
function checkIfname(key: string, value: string): string {
  const problem = interfaceNameProblem(value);
  if (problem !== null) {
    throw bridgeError("INVALID_INTERFACE_NAME", `option ${key} has invalid value ${JSON.stringify(value)}: it ${problem}`, IFNAME_RULE, { key, value });
  }
  return value;
}

function checkKeys(kind: string, options: Readonly<Record<string, string>>, valid: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      throw bridgeError("UNKNOWN_OPTION", `unknown ${kind} option '${key}' for the bridge driver`, `valid options: ${valid.join(", ")}`, { key });
    }
  }
}

/**
 * Validates the options and the IPAM data of a network and returns its configuration.
 * Called first in createNetwork (and in restore), before anything touches the kernel.
 * Pure: conflicts with other networks and host links are checked by network/validate-network.
 */
export function parseNetworkConfig(network: NetworkInfo): BridgeNetworkConfig {
  const o = network.options;
  checkKeys("network", o, Object.values(NETWORK_OPTIONS));
  const get = (key: string): string | undefined => o[key];

  const bridgeName = checkIfname(NETWORK_OPTIONS.bridgeName, get(NETWORK_OPTIONS.bridgeName) ?? `br-${network.id.slice(0, 12)}`);
  const bool = (key: string, dflt: boolean): boolean => {
    const v = get(key);
    return v === undefined ? dflt : parseBool(key, v);
  };
  const icc = bool(NETWORK_OPTIONS.enableIcc, true);
  const masquerade = bool(NETWORK_OPTIONS.enableIpMasquerade, true);
  const inhibitIpv4 = bool(NETWORK_OPTIONS.inhibitIpv4, false);
  bool(NETWORK_OPTIONS.dns, true);
  const mode4 = parseMode(NETWORK_OPTIONS.gatewayModeIpv4, get(NETWORK_OPTIONS.gatewayModeIpv4));
  const mode6 = parseMode(NETWORK_OPTIONS.gatewayModeIpv6, get(NETWORK_OPTIONS.gatewayModeIpv6));
  for (const [key, mode] of [[NETWORK_OPTIONS.gatewayModeIpv4, mode4], [NETWORK_OPTIONS.gatewayModeIpv6, mode6]] as const) {
    if (mode === "isolated" && !network.internal) {
      throw bridgeError("INVALID_OPTION", `gateway mode 'isolated' can only be used for an internal network (option ${key}, network '${network.name}')`, "create the network with --internal or use another gateway mode", { key, value: mode });
    }
  }

  let mtu: number | null = null;
  const mtuText = get(NETWORK_OPTIONS.mtu);
  if (mtuText !== undefined) {
    mtu = /^\d{1,6}$/.test(mtuText) ? Number(mtuText) : NaN;
    if (!(mtu >= 68 && mtu <= 65535)) {
      throw bridgeError("INVALID_OPTION", `option ${NETWORK_OPTIONS.mtu} has invalid value '${mtuText}'`, "give an MTU between 68 and 65535", { key: NETWORK_OPTIONS.mtu, value: mtuText });
    }
  }
  const addr = (key: string, family: 0 | 4 | 6): string | null => {
    const v = get(key);
    return v === undefined || v === "" ? null : parseAddress(key, v, family);
  };
  const hostIpv4 = addr(NETWORK_OPTIONS.hostIpv4, 4);
  const hostIpv6 = addr(NETWORK_OPTIONS.hostIpv6, 6);
  const defaultBindingIp = addr(NETWORK_OPTIONS.hostBindingIpv4, 0);
  const ifPrefix = get(NETWORK_OPTIONS.containerIfacePrefix) ?? "eth";
  if (!IF_PREFIX.test(ifPrefix)) {
    throw bridgeError("INVALID_OPTION", `option ${NETWORK_OPTIONS.containerIfacePrefix} has invalid value '${ifPrefix}'`, "use a letter followed by up to 11 letters, digits, '_', '.' or '-'", { key: NETWORK_OPTIONS.containerIfacePrefix, value: ifPrefix });
  }

  if (!network.ipv4 && !network.ipv6) {
    throw bridgeError("INVALID_NETWORK", `network '${network.name}' has neither an IPv4 nor an IPv6 subnet`, "enable IPv4, IPv6 or both");
  }
  for (const [fam, data] of [[4, network.ipv4], [6, network.ipv6]] as const) {
    if (!data) continue;
    const len = Number(data.subnet.split("/")[1]);
    if (len === 0) {
      throw bridgeError("INVALID_NETWORK", `network '${network.name}' has subnet ${data.subnet}, which covers every IPv${fam} address`, "pick a smaller subnet");
    }
    const mode = fam === 4 ? mode4 : mode6;
    const needsGateway = !network.internal && mode !== "isolated" && !(fam === 4 && inhibitIpv4);
    if (needsGateway && !data.gateway) {
      throw bridgeError("INVALID_NETWORK", `network '${network.name}' has no IPv${fam} gateway address for subnet ${data.subnet}`, "let IPAM reserve a gateway or give one");
    }
  }

  return {
    id: network.id,
    name: network.name,
    bridgeName,
    internal: network.internal,
    icc,
    masquerade,
    mode4,
    mode6,
    inhibitIpv4,
    mtu,
    hostIpv4,
    hostIpv6,
    defaultBindingIp,
    ifPrefix,
    subnet4: network.ipv4?.subnet ?? null,
    subnet6: network.ipv6?.subnet ?? null,
    gateway4: network.ipv4?.gateway ?? null,
    gateway6: network.ipv6?.gateway ?? null,
  };
}

/**
 * For a driver created with `forceMode` (the routed driver, `@netd/driver-routed`): returns
 * `network` with both gateway-mode options set to `mode`, so that parseNetworkConfig, the
 * publisher (publish/modes.ts) and the firewall (firewall/render-bridge.ts) take exactly the
 * path `gateway_mode_ipv4/ipv6=<mode>` takes on the bridge: one policy, not a copy.
 * Called by driver.ts before every parse (create, delete, restore). A gateway-mode option
 * given anyway is an error naming it (the driver decides the mode, not the user).
 */
export function forceGatewayMode(network: NetworkInfo, mode: GatewayMode, driver: string): NetworkInfo {
  for (const key of [NETWORK_OPTIONS.gatewayModeIpv4, NETWORK_OPTIONS.gatewayModeIpv6]) {
    const value = network.options[key];
    if (value !== undefined) {
      throw bridgeError("INVALID_OPTION", `option ${key}=${value} is not accepted by the ${driver} driver: every family of its networks is ${mode}`, `remove ${key}, or use the bridge driver with ${key}=${value}`, { key, value });
    }
  }
  return { ...network, options: { ...network.options, [NETWORK_OPTIONS.gatewayModeIpv4]: mode, [NETWORK_OPTIONS.gatewayModeIpv6]: mode } };
}

/** Validated endpoint options. */
export interface EndpointOptions {
  /** Interface name inside the sandbox; null = prefix + first free index. */
  readonly ifname: string | null;
}

/** Validates an endpoint's driver options; called in createEndpoint and again at join. */
export function parseEndpointOptions(endpoint: EndpointInfo): EndpointOptions {
  checkKeys("endpoint", endpoint.options, Object.values(ENDPOINT_OPTIONS));
  const ifname = endpoint.options[ENDPOINT_OPTIONS.ifname];
  if (ifname === undefined) return { ifname: null };
  return { ifname: checkIfname(ENDPOINT_OPTIONS.ifname, ifname) };
}

/** The address part of a CIDR ("10.0.0.2/24" → "10.0.0.2"). */
export function addressOf(cidr: string): string {
  return cidr.split("/")[0] ?? cidr;
}

/** The prefix length of a CIDR ("10.0.0.0/24" → 24). */
export function prefixLength(cidr: string): number {
  return Number(cidr.split("/")[1]);
}
