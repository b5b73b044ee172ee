/**
 * @netd/kernel: the Linux implementation of @netd/driverapi's Kernel. The in-memory fake
 * for unit tests is the separate, native-free package `@netd/kernel-fake`.
 */
export { createLinuxKernel, type LinuxKernelOptions } from "./linux/kernel.js";
export { kernelErrorCodes, type KernelErrorCode } from "./linux/errors.js";
export { raiseOpenFileLimit, shareMallocArena, trimMalloc } from "./linux/limits.js";
export { createUserlandProxy, quitProxy, type NetdUserlandProxy, type UserlandProxyEvent, type UserlandProxyOptions, type ProxyBindingInfo, type ProxyBindingStats } from "./proxy/index.js";
