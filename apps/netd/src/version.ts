/** Versions reported by `/version` and `netd --version`. */
import { createRequire } from "node:module";

// Read at run time from the package's own package.json (src/ and dist/ are both one level
// below it), so the version changesets bump is the one netd reports.
const pkg = createRequire(import.meta.url)("../package.json") as { version: string };
export const NETD_VERSION: string = pkg.version;
/** The Docker Engine API version netd answers as (docker CLI 28 negotiates down to it). */
export const API_VERSION = "1.47";
export const MIN_API_VERSION = "1.24";
