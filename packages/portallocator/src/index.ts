export { createPortAllocator } from "./allocator.js";
export type { LocalPortAllocator, PortAllocatorOptions } from "./allocator.js";
export { portErrorCodes } from "./errors.js";
export { parseHostAddress } from "./address.js";
export type { HostAddress, ParseResult } from "./address.js";
export {
  FALLBACK_PORT_RANGE,
  PORT_RANGE_FILE,
  RESERVED_PORTS_FILE,
  parsePortRange,
  parseReservedPorts,
  readRealProcFile,
} from "./system-ports.js";
export type { PortRange, ReadProcFile } from "./system-ports.js";
export { createOsPortReserver, MAX_BIND_ATTEMPTS } from "./os-reserver.js";
export type { OsPortReserverOptions } from "./os-reserver.js";
export { bindHostSocket } from "./bind-socket.js";
export type { BindRequest, BindSocket, BoundSocket } from "./bind-socket.js";
