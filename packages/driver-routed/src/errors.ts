/** The routed driver's own error codes (option validation); everything else is the bridge's. */
import { defineErrorCodes, NetdError } from "@netd/driverapi";

export const routedErrorCodes = defineErrorCodes({
  UNKNOWN_OPTION: { category: "invalid", description: "A network option key the routed driver does not know." },
  INVALID_OPTION: { category: "invalid", description: "An option that has no meaning for a routed network (gateway modes, NAT settings)." },
});

export type RoutedErrorCode = keyof typeof routedErrorCodes;

/** A NetdError with one of {@link routedErrorCodes}. */
export function routedError(code: RoutedErrorCode, message: string, hint: string, details?: Record<string, unknown>): NetdError {
  return new NetdError({ code, category: routedErrorCodes[code].category, message, hint, details });
}
