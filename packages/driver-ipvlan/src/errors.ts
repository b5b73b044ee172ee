/** The ipvlan driver's error codes. Every message names the value; the hint says what to do. */
import { defineErrorCodes, NetdError } from "@netd/driverapi";

export const ipvlanErrorCodes = defineErrorCodes({
  INVALID_OPTION: { category: "invalid", description: "A network or endpoint option has an unknown key or a bad value (mode, flag, parent name, ifname)." },
  PARENT_NOT_FOUND: { category: "invalid", description: "The parent link does not exist and is not a creatable VLAN sub-interface of an existing link." },
  PARENT_IN_USE: { category: "conflict", description: "Another ipvlan network already uses the parent link." },
  PARENT_NOT_ALLOWED: { category: "forbidden", description: "The parent is lo or a link netd owns (its bridges, veths)." },
  CUSTOM_MAC: { category: "invalid", description: "An endpoint asked for a MAC address; ipvlan links share their parent's." },
  IFNAME_CONFLICT: { category: "conflict", description: "The requested interface name already exists in the sandbox." },
  KERNEL_FEATURE_MISSING: { category: "unsupported", description: "The kernel lacks the ipvlan (or dummy) driver the network needs." },
});

export type IpvlanErrorCode = keyof typeof ipvlanErrorCodes;

/** A NetdError with one of {@link ipvlanErrorCodes}. */
export function ipvlanError(code: IpvlanErrorCode, message: string, hint: string, details?: Record<string, unknown>, cause?: unknown): NetdError {
  return new NetdError({ code, category: ipvlanErrorCodes[code].category, message, hint, details, cause });
}
