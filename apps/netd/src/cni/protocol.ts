/**
 * The CNI wire protocol as the daemon sees it: the spec's versions and error codes, and the
 * error object every failing verb answers with. The `netd-cni` executable (packages/cni)
 * prints these objects unchanged and exits 1, as the spec asks of a plugin.
 */
import { isNetdError } from "@netd/driverapi";
import type { ErrorCategory } from "@netd/driverapi";

/** Result and config versions netd-cni speaks; CHECK needs 0.4.0 or later, GC and STATUS 1.1.0. */
export const SUPPORTED_VERSIONS = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] as const;

/** Error codes of the CNI spec (1-99 well-known) and netd-cni's own (100 and up). */
export const CniCode = {
  INCOMPATIBLE_VERSION: 1,
  UNSUPPORTED_FIELD: 2,
  UNKNOWN_CONTAINER: 3,
  INVALID_ENV: 4,
  IO_FAILURE: 5,
  DECODE_FAILURE: 6,
  INVALID_CONFIG: 7,
  TRY_AGAIN_LATER: 11,
  /** STATUS: the plugin cannot add containers now. */
  NOT_AVAILABLE: 50,
  /** netd failed (kernel or internal error). */
  DAEMON_FAILURE: 100,
  /** The request clashes with existing state: an address, port or name in use. */
  CONFLICT: 101,
  /** The driver or the machine cannot do what the config asks. */
  UNSUPPORTED: 102,
  /** CHECK: the kernel does not match what netd set up. */
  CHECK_MISMATCH: 110,
} as const;

/** A CNI error: `code`, `msg` and `details`, serialised as the spec's error object. */
export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}

const BY_CATEGORY: Record<ErrorCategory, number> = {
  invalid: CniCode.INVALID_CONFIG,
  not_found: CniCode.INVALID_CONFIG,
  conflict: CniCode.CONFLICT,
  forbidden: CniCode.CONFLICT,
  unsupported: CniCode.UNSUPPORTED,
  kernel: CniCode.DAEMON_FAILURE,
  internal: CniCode.DAEMON_FAILURE,
};

/** The spec's error object for any thrown value; netd errors keep their code and hint in `details`. */
export function toCniError(error: unknown, cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
  if (error instanceof CniError) return { cniVersion, code: error.code, msg: error.message, ...(error.details ? { details: error.details } : {}) };
  if (isNetdError(error)) {
    return { cniVersion, code: BY_CATEGORY[error.category] ?? CniCode.DAEMON_FAILURE, msg: error.message, details: `netd ${error.code}${error.hint ? `: ${error.hint}` : ""}` };
  }
  return { cniVersion, code: CniCode.DAEMON_FAILURE, msg: error instanceof Error ? error.message : String(error) };
}

/** Orders two dotted versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
