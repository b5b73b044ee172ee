/**
 * @netd/portallocator: host-port bookkeeping for published ports, and OS reservations.
 *
 * - `createPortAllocator()` is pure bookkeeping (no sockets). It implements the
 *   `PortAllocator` contract of @netd/driverapi: one port per call, valid on every given
 *   address (the dual-stack same-port rule), with the conflict sets of libnetwork (§7.1).
 * - `createOsPortReserver({ allocator })` additionally binds real sockets on every address
 *   so no other process can take a published port (§7.2).
 *
 * Be aware:
 * - there is no singleton: the daemon owns one allocator, tests build their own;
 * - the default range and the kernel-reserved ports are read when the allocator is created
 *   and on `releaseAll`, not per request; inject them (`range`, `reservedPorts`,
 *   `readProcFile`) for deterministic behaviour;
 * - kernel-reserved ports are skipped only for ephemeral requests (start == end == 0);
 * - sockets bind in the network namespace of the calling process;
 * - a reserved TCP port accepts and immediately resets connections that reach it (Node can
 *   neither attach a drop filter nor listen without accepting); published traffic is
 *   DNATed before it gets there;
 * - SCTP ports can be allocated but not reserved with the default binder (UNSUPPORTED).
 */
export { createPortAllocator } from "./allocator.js";
export type { LocalPortAllocator, PortAllocatorOptions } from "./allocator.js";
export { createOsPortReserver, MAX_BIND_ATTEMPTS } from "./os-reserver.js";
export type { OsPortReserverOptions } from "./os-reserver.js";
export { bindHostSocket } from "./bind-socket.js";
export type { BindRequest, BindSocket, BoundSocket } from "./bind-socket.js";
export { portErrorCodes } from "./errors.js";
export {
  FALLBACK_PORT_RANGE,
  PORT_RANGE_FILE,
  RESERVED_PORTS_FILE,
  parsePortRange,
  parseReservedPorts,
  readRealProcFile,
} from "./system-ports.js";
export type { PortRange, ReadProcFile } from "./system-ports.js";
