/** Versions reported by `/version` and `netd --version`. */
export const NETD_VERSION = "0.0.0";
/** The Docker Engine API version netd answers as (docker CLI 28 negotiates down to it). */
export const API_VERSION = "1.47";
export const MIN_API_VERSION = "1.24";
