/**
 * `@netd/kernel-fake`: an in-memory Kernel for unit tests of drivers and core (STYLE.md §2
 * practice 10b). It enforces the kernel's invariants — and a few stricter ones on purpose —
 * records every mutating call, snapshots its state and can be told to fail chosen calls.
 *
 * Be aware:
 * - nft table bodies are kept as text; only `set NAME {` / `map NAME {` declarations and their
 *   inline `elements = { ... }` are understood, so rules are never checked;
 * - a bridge with ports cannot be deleted (Linux would release them): this catches ordering bugs;
 * - IPv4 routes need their device up; prefix routes of addresses on up links are listed
 *   (and count for ROUTE_EXISTS) but do not appear in snapshots; set-down does not flush routes;
 * - link indexes are unique across the whole fake (Linux reuses them per namespace).
 */
export { createFakeKernel } from "./fake-kernel.js";
export type { FakeCall, FakeKernel, FakeKernelOptions, SeedLink } from "./fake-kernel.js";
export { fakeKernelErrorCodes } from "./errors.js";
export { KERNEL_METHODS } from "./faults.js";
export type { FaultCall, FaultError, FaultPredicate, KernelMethod } from "./faults.js";
export type { FakeSnapshot, LinkSnapshot, NamespaceSnapshot } from "./snapshot.js";
export type { FakeConntrackEntry } from "./state.js";
export { interruptKernel } from "./interrupt.js";
export type { InterruptingKernel } from "./interrupt.js";
