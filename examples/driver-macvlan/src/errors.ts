/** The macvlan driver's error codes. */
import { defineErrorCodes, NetdError } from "@netd/driverapi";

export const macvlanErrorCodes = defineErrorCodes({
  UNKNOWN_OPTION: { category: "invalid", description: "A network or endpoint option key the macvlan driver does not know." },
  INVALID_OPTION: { category: "invalid", description: "An option value the macvlan driver cannot use (mode, parent name)." },
  PARENT_REQUIRED: { category: "invalid", description: "A non-internal macvlan network was created without `-o parent=`." },
  PARENT_NOT_FOUND: { category: "not_found", description: "The parent link does not exist in the host namespace." },
});

export type MacvlanErrorCode = keyof typeof macvlanErrorCodes;

/** A NetdError with one of {@link macvlanErrorCodes}. */
export function macvlanError(code: MacvlanErrorCode, message: string, hint: string, details?: Record<string, unknown>): NetdError {
  return new NetdError({ code, category: macvlanErrorCodes[code].category, message, hint, details });
}
