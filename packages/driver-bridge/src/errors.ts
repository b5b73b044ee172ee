/** The bridge driver's error codes and a helper to raise them. */
import { defineErrorCodes, errorFactory } from "@netd/driverapi";

export const bridgeErrorCodes = defineErrorCodes({
  UNKNOWN_OPTION: { category: "invalid", description: "A network or endpoint option key the bridge driver does not know." },
  INVALID_OPTION: { category: "invalid", description: "A known option with a value that does not parse or is out of range." },
  INVALID_INTERFACE_NAME: { category: "invalid", description: "A bridge or interface name option that the kernel would refuse or rename, or that holds characters outside letters, digits, '_', '.', '-'." },
  INVALID_NETWORK: { category: "invalid", description: "The network's configuration cannot be served by the bridge driver." },
  BRIDGE_NAME_CONFLICT: { category: "conflict", description: "The bridge name is used by another network or an existing link." },
  PORT_ALREADY_MAPPED: { category: "conflict", description: "A published host port is already mapped to another endpoint in the firewall." },
  IFNAME_CONFLICT: { category: "conflict", description: "The requested interface name already exists in the sandbox." },
  NETWORK_NOT_FOUND: { category: "not_found", description: "The driver has no such network." },
  ENDPOINT_NOT_FOUND: { category: "not_found", description: "The driver has no such joined endpoint." },
  FORWARDING_DISABLED: { category: "unsupported", description: "IP forwarding could not be enabled in the host namespace." },
});

export type BridgeErrorCode = keyof typeof bridgeErrorCodes;

/** A NetdError with one of {@link bridgeErrorCodes}; the category comes from the table. */
export const bridgeError = errorFactory(bridgeErrorCodes);
