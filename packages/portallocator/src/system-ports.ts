import { readFileSync } from "node:fs";

/** The kernel's ephemeral range file ("start\tend"). */
export const PORT_RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range";
/** The kernel's reserved ports file ("8080,9000-9010", empty when none). */
export const RESERVED_PORTS_FILE = "/proc/sys/net/ipv4/ip_local_reserved_ports";
/** Used when the range file is missing or unparsable (§7.1). */
export const FALLBACK_PORT_RANGE: PortRange = Object.freeze({ start: 49153, end: 65535 });

/** An inclusive port range. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads a /proc file as text, or returns null when it cannot be read. Injected so that
 * tests are deterministic; the default reads the real file.
 */
export type ReadProcFile = (path: string) => string | null;

/** The default {@link ReadProcFile}: the real file, or null on any error. */
export const readRealProcFile: ReadProcFile = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Parses "start end" (any whitespace); null when malformed or not 1 <= start <= end <= 65535. */
export function parsePortRange(text: string | null): PortRange | null {
  if (text === null) return null;
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!match) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  return isPort(start) && isPort(end) && start <= end ? { start, end } : null;
}

/**
 * Parses the reserved-ports list ("8080,9000-9010"). Empty text means none; a malformed
 * list yields null so the caller can ignore it whole, as the reference does.
 */
export function parseReservedPorts(text: string | null): number[] | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const ports: number[] = [];
  for (const item of trimmed.split(",")) {
    const match = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(item);
    if (!match) return null;
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (!isPort(start) || !isPort(end) || end < start) return null;
    for (let port = start; port <= end; port++) ports.push(port);
  }
  return ports;
}
