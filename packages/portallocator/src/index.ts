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
