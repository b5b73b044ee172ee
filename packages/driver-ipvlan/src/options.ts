/**
 * Network and endpoint options of ipvlan networks (reference-libnetwork.md §6), parsed
 * without touching the kernel so that bad input fails before anything is created.
 */
import type { EndpointInfo, NetworkInfo } from "@netd/driverapi";
import { ipvlanError } from "./errors.js";

/** Option keys users pass as `-o key=value`. */
export const IPVLAN_OPTIONS = { parent: "parent", mode: "ipvlan_mode", flag: "ipvlan_flag" } as const;
/** The endpoint option naming the interface inside the sandbox. */
export const IFNAME_OPTION = "com.docker.network.endpoint.ifname";

export const IPVLAN_MODES = ["l2", "l3", "l3s"] as const;
export const IPVLAN_FLAGS = ["bridge", "private", "vepa"] as const;
export type IpvlanMode = (typeof IPVLAN_MODES)[number];
export type IpvlanFlag = (typeof IPVLAN_FLAGS)[number];

/** A network's parsed configuration. */
export interface IpvlanConfig {
  /** The link the ipvlan children hang on: the user's parent, or the internal dummy. */
  readonly parent: string;
  /** True when the user gave no parent: netd makes a dummy link and the network is internal. */
  readonly dummy: boolean;
  readonly mode: IpvlanMode;
  readonly flag: IpvlanFlag;
  /** No gateways and no default routes: `--internal`, or no parent. */
  readonly internal: boolean;
}

/** Linux interface names: 1–15 bytes, no '/', ':' or whitespace, not "." or "..". */
export function isValidIfname(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= 15 && name !== "." && name !== ".." && !/[/:\s]/.test(name);
}

/** The dummy parent of a network without one: `di-` and the first 12 characters of the id. */
export function dummyName(networkId: string): string {
  return `di-${networkId.slice(0, 12)}`;
}

/** The short-lived link `createNetwork` makes to learn whether the kernel can do ipvlan. */
export function probeName(networkId: string): string {
  return `ip-${networkId.slice(0, 12)}`;
}

/** The name a VLAN parent netd creates has until `createNetwork`'s last kernel call renames it. */
export function vlanTempName(networkId: string): string {
  return `vl-${networkId.slice(0, 12)}`;
}

/** A parent like "eth0.10": its base link and VLAN id, or null when the name is not of that form. */
export function vlanParent(parent: string): { readonly base: string; readonly vlanId: number } | null {
  const m = /^(.+)\.([0-9]{1,4})$/.exec(parent);
  if (!m) return null;
  const vlanId = Number(m[2]);
  return vlanId >= 1 && vlanId <= 4094 ? { base: m[1]!, vlanId } : null;
}

function oneOf<T extends string>(key: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw ipvlanError("INVALID_OPTION", `option ${key} has invalid value '${value}'`, `use one of ${allowed.join(", ")} (default ${fallback})`, { key, value });
}

/**
 * Parses `network.options`. Keys under `com.docker.network.` are generic and ignored; any
 * other unknown key is an error.
 */
export function parseNetworkOptions(network: NetworkInfo): IpvlanConfig {
  const known: readonly string[] = Object.values(IPVLAN_OPTIONS);
  for (const key of Object.keys(network.options)) {
    if (!known.includes(key) && !key.startsWith("com.docker.network.")) {
      throw ipvlanError("INVALID_OPTION", `ipvlan networks have no option '${key}'`, `remove it; valid options are ${known.join(", ")}`, { key });
    }
  }
  const mode = oneOf(IPVLAN_OPTIONS.mode, network.options[IPVLAN_OPTIONS.mode], IPVLAN_MODES, "l2");
  const flag = oneOf(IPVLAN_OPTIONS.flag, network.options[IPVLAN_OPTIONS.flag], IPVLAN_FLAGS, "bridge");
  const parent = network.options[IPVLAN_OPTIONS.parent];
  if (parent === undefined || parent === "") {
    return { parent: dummyName(network.id), dummy: true, mode, flag, internal: true };
  }
  if (!isValidIfname(parent)) {
    throw ipvlanError("INVALID_OPTION", `option parent has invalid value '${parent}'`, "name a host interface: 1-15 bytes without '/', ':' or whitespace", { key: "parent", value: parent });
  }
  return { parent, dummy: false, mode, flag, internal: network.internal };
}

/** The endpoint's requested interface name, or null to let the driver choose. */
export function requestedIfname(endpoint: EndpointInfo): string | null {
  const name = endpoint.options[IFNAME_OPTION];
  if (name === undefined) return null;
  if (!isValidIfname(name)) {
    throw ipvlanError("INVALID_OPTION", `option ${IFNAME_OPTION} has invalid value '${name}'`, "use 1-15 bytes without '/', ':' or whitespace", { key: IFNAME_OPTION, value: name });
  }
  return name;
}
