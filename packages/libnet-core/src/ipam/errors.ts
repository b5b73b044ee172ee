import { defineErrorCodes, errorFactory } from "@netd/driverapi";
import type { NetdError } from "@netd/driverapi";

/**
 * Error codes raised by IPAM. Every IPAM error is thrown before any state changes, so a
 * caller that catches one can assume IPAM looks exactly as it did before the call.
 */
export const ipamErrorCodes = defineErrorCodes({
  INVALID_SUBNET: { category: "invalid", description: "A subnet is malformed, of the wrong family, or has host bits set." },
  INVALID_IP_RANGE: { category: "invalid", description: "An ip-range is malformed or not inside its subnet." },
  INVALID_ADDRESS: {
    category: "invalid",
    description: "An address is malformed, of the wrong family, or one that can never be assigned (network, broadcast, anycast).",
  },
  INVALID_POOL: { category: "invalid", description: "A configured default address pool or ULA prefix is malformed." },
  SUBNET_REQUIRED: { category: "invalid", description: "An ip-range, gateway or aux-address was given without a subnet." },
  GATEWAY_OUT_OF_SUBNET: { category: "invalid", description: "A gateway address is not inside its subnet." },
  ADDRESS_OUT_OF_SUBNET: { category: "invalid", description: "A static or auxiliary address is not inside its subnet." },
  SUBNET_OVERLAP: { category: "conflict", description: "A subnet overlaps the subnet of another network." },
  ADDRESS_IN_USE: { category: "conflict", description: "A requested address is already taken in the network." },
  ADDRESSES_EXHAUSTED: { category: "conflict", description: "A network has no free address left for a new endpoint." },
  POOLS_EXHAUSTED: { category: "conflict", description: "Every default pool subnet overlaps an existing network." },
  NETWORK_EXISTS: { category: "conflict", description: "IPAM already holds an allocation for this network id." },
  NETWORK_NOT_FOUND: { category: "not_found", description: "IPAM holds no allocation for this network id." },
  FAMILY_DISABLED: { category: "invalid", description: "An address of a family the network does not have was asked for." },
});

/** One of the codes in {@link ipamErrorCodes}. */
export type IpamErrorCode = keyof typeof ipamErrorCodes;

/**
 * Builds an IPAM error. `message` names the values, `hint` says what to do; the final
 * message reads "<message>; <hint>".
 */
export const ipamError: (code: IpamErrorCode, message: string, hint: string, details?: Record<string, unknown>) => NetdError =
  errorFactory(ipamErrorCodes);
