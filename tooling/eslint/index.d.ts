import type { Linter } from "eslint";
/** The shared flat config; `mayTouchKernel` only for packages/kernel, netlink-native and testing. */
export declare function netdConfig(options?: { mayTouchKernel?: boolean }): Linter.Config[];
