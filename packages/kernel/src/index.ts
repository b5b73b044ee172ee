/**
 * @netd/kernel: the Linux implementation of @netd/driverapi's Kernel. The in-memory fake
 * for unit tests is the `@netd/kernel/fake` subpath.
 */
export { createLinuxKernel, type LinuxKernelOptions } from "./linux/kernel.js";
export { kernelErrorCodes, type KernelErrorCode } from "./linux/errors.js";
export { raiseOpenFileLimit } from "./linux/limits.js";
