/** Error codes of libnet-core (IPAM has its own table in ipam/errors.ts). */
import { defineErrorCodes, errorFactory } from "@netd/driverapi";

export const coreErrorCodes = defineErrorCodes({
  INVALID_ARGUMENT: { category: "invalid", description: "A value failed validation before anything was changed." },
  DRIVER_NOT_FOUND: { category: "not_found", description: "No driver is registered under the requested name." },
  DRIVER_INVALID: { category: "invalid", description: "A driver object does not satisfy the contract." },
  DRIVER_API_MISMATCH: { category: "invalid", description: "A driver was built for another API_VERSION." },
  DRIVER_EXISTS: { category: "conflict", description: "A driver with that name is already registered." },
  NETWORK_NOT_FOUND: { category: "not_found", description: "No network has that id, name or id prefix." },
  NETWORK_EXISTS: { category: "conflict", description: "A network with that name already exists." },
  NETWORK_HAS_ENDPOINTS: { category: "forbidden", description: "A network still has endpoints and cannot be deleted." },
  ENDPOINT_NOT_FOUND: { category: "not_found", description: "No endpoint has that id." },
  ENDPOINT_EXISTS: { category: "conflict", description: "The sandbox is already connected to the network." },
  ENDPOINT_IN_USE: { category: "forbidden", description: "The endpoint is joined to a sandbox." },
  ENDPOINT_NOT_JOINED: { category: "forbidden", description: "The endpoint is not joined to that sandbox." },
  SANDBOX_NOT_FOUND: { category: "not_found", description: "No sandbox has that id, name or id prefix." },
  SANDBOX_EXISTS: { category: "conflict", description: "A sandbox with that name already exists." },
  SANDBOX_BEING_DELETED: { category: "forbidden", description: "The sandbox is being deleted." },
  AMBIGUOUS_REFERENCE: { category: "invalid", description: "An id prefix matches several objects." },
  FAMILY_UNSUPPORTED: { category: "invalid", description: "The driver does not support an enabled address family." },
});

export type CoreErrorCode = keyof typeof coreErrorCodes;

/** Builds a NetdError of this package's table: (code, message, hint?, details?, cause?). */
export const coreError = errorFactory(coreErrorCodes);
