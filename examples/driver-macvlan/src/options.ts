/** Network and endpoint options: validated before anything touches the kernel. */
import type { EndpointInfo, NetworkInfo } from "@netd/driverapi";
import { macvlanError } from "./errors.js";

export const MACVLAN_MODES = ["bridge", "private", "vepa", "passthru"] as const;
export type MacvlanMode = (typeof MACVLAN_MODES)[number];

/** Option keys of `netd network create -d macvlan -o KEY=VALUE`. */
export const NETWORK_OPTIONS = {
  parent: "parent",
  mode: "macvlan_mode",
} as const;

/** The endpoint option naming the interface inside the sandbox. */
export const IFNAME_OPTION = "com.docker.network.endpoint.ifname";

/** A network's parsed options. */
export interface MacvlanNetwork {
  /** The parent link in the host namespace. */
  readonly parent: string;
  /** True when the driver made the parent itself (internal network without `parent`). */
  readonly ownParent: boolean;
  readonly mode: MacvlanMode;
}

const LINK_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/**
 * Parses and validates a network's options. An internal network without `parent` gets a
 * parent the driver creates: a port-less Linux bridge `mvi<12 hex of the id>` (Docker uses a
 * dummy link; a bridge without ports is just as isolated and needs no `dummy` module).
 */
export function parseNetwork(network: NetworkInfo): MacvlanNetwork {
  const known: readonly string[] = Object.values(NETWORK_OPTIONS);
  for (const key of Object.keys(network.options)) {
    if (!known.includes(key)) throw macvlanError("UNKNOWN_OPTION", `unknown macvlan network option '${key}'`, `use ${known.join(" or ")}`, { key });
  }
  const mode = network.options[NETWORK_OPTIONS.mode] ?? "bridge";
  if (!(MACVLAN_MODES as readonly string[]).includes(mode)) {
    throw macvlanError("INVALID_OPTION", `macvlan_mode '${mode}' is not a macvlan mode`, `use one of ${MACVLAN_MODES.join(", ")}`, { mode });
  }
  const parent = network.options[NETWORK_OPTIONS.parent];
  if (parent === undefined || parent === "") {
    if (!network.internal) throw macvlanError("PARENT_REQUIRED", `macvlan network '${network.name}' needs a parent link`, "pass -o parent=<link in the host namespace>, or create it --internal", { network: network.name });
    return { parent: internalParentName(network), ownParent: true, mode: mode as MacvlanMode };
  }
  if (!LINK_NAME.test(parent)) throw macvlanError("INVALID_OPTION", `parent '${parent}' is not a link name`, "use the name of an existing link, 1-15 characters", { parent });
  return { parent, ownParent: false, mode: mode as MacvlanMode };
}

/** The bridge an internal network without parent uses as its parent. */
export function internalParentName(network: NetworkInfo): string {
  return `mvi${network.id.slice(0, 12)}`;
}

/** Validates endpoint options; returns the requested interface name, or null. */
export function parseEndpoint(endpoint: EndpointInfo): string | null {
  for (const key of Object.keys(endpoint.options)) {
    if (key !== IFNAME_OPTION) throw macvlanError("UNKNOWN_OPTION", `unknown macvlan endpoint option '${key}'`, `only ${IFNAME_OPTION} is supported`, { key });
  }
  const name = endpoint.options[IFNAME_OPTION];
  if (name === undefined) return null;
  if (!LINK_NAME.test(name)) throw macvlanError("INVALID_OPTION", `interface name '${name}' is invalid`, "use 1-15 characters of letters, digits, '_', '.', '-'", { name });
  return name;
}

/**
 * The MAC of an endpoint when the user gave none: locally administered, derived from the
 * endpoint id, so `leave` finds the interface again even after a crash discarded the state.
 */
export function endpointMac(endpoint: EndpointInfo): string {
  if (endpoint.mac) return endpoint.mac.toLowerCase();
  const hex = endpoint.id.slice(0, 10);
  return ["02", ...(hex.match(/../g) ?? [])].join(":");
}
