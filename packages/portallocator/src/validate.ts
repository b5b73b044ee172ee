import type { Protocol } from "@netd/driverapi";
import { parseIpAddress } from "@netd/driverapi";
import type { IpAddress } from "@netd/driverapi";
import { invalidAddress, invalidPort, invalidPortRange, noAddresses, unknownProtocol } from "./errors.js";

const PROTOCOLS: ReadonlySet<string> = new Set(["tcp", "udp", "sctp"]);

/** Throws UNKNOWN_PROTOCOL unless `protocol` is tcp, udp or sctp. */
export function checkProtocol(protocol: unknown): asserts protocol is Protocol {
  if (typeof protocol !== "string" || !PROTOCOLS.has(protocol)) throw unknownProtocol(protocol);
}

// Parsing costs ~0.4 µs per address, more than a whole allocation, and callers name the
// same few addresses over and over. A memo of a pure function, bounded so that a caller
// cycling through many addresses cannot grow it without limit.
const MEMO_LIMIT = 1024;
const memo = new Map<string, IpAddress>();

/** One address, canonical; throws INVALID_ADDRESS. */
export function checkAddress(address: unknown): IpAddress {
  if (typeof address !== "string") throw invalidAddress(address, "not a string");
  const known = memo.get(address);
  if (known) return known;
  const parsed = parseIpAddress(address);
  if (!parsed.ok) throw invalidAddress(address, parsed.reason);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(address, parsed.address);
  return parsed.address;
}

/**
 * Every address, canonical and without duplicates (in first-seen order, since the first
 * address's cursor drives the scan). Throws NO_ADDRESSES or INVALID_ADDRESS.
 */
export function checkAddresses(addresses: readonly string[]): IpAddress[] {
  if (!Array.isArray(addresses) || addresses.length === 0) throw noAddresses();
  const seen: IpAddress[] = [];
  for (const input of addresses) {
    const address = checkAddress(input);
    if (!seen.some((other) => other.text === address.text)) seen.push(address);
  }
  return seen;
}

function isPortNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Throws INVALID_PORT unless `port` is an integer in 1-65535. */
export function checkPort(what: string, port: unknown): asserts port is number {
  if (!isPortNumber(port)) throw invalidPort(what, port);
}

/** Throws INVALID_PORT_RANGE unless (0, 0) or 1 <= start <= end <= 65535. */
export function checkRange(start: unknown, end: unknown): void {
  if (start === 0 && end === 0) return;
  if (!isPortNumber(start) || !isPortNumber(end) || end < start) throw invalidPortRange(start, end);
}
