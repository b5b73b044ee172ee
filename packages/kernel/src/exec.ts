/**
 * @netd/kernel/exec: start a command inside a network namespace (`netd run`). A separate
 * subpath so that a CLI can use it without loading the native addon.
 */
export { execInNetns, netnsEnterProblem } from "./linux/exec-in-netns.js";
export type { ExecInNetnsOptions } from "./linux/exec-in-netns.js";
