import type { Protocol } from "@netd/driverapi";
import { parseHostAddress } from "./address.js";
import type { HostAddress } from "./address.js";
import { invalidAddress, invalidPort, invalidPortRange, noAddresses, unknownProtocol } from "./errors.js";

const PROTOCOLS: ReadonlySet<string> = new Set(["tcp", "udp", "sctp"]);

/** Throws UNKNOWN_PROTOCOL unless `protocol` is tcp, udp or sctp. */
export function checkProtocol(protocol: unknown): asserts protocol is Protocol {
  if (typeof protocol !== "string" || !PROTOCOLS.has(protocol)) throw unknownProtocol(protocol);
}

/** One address, canonical; throws INVALID_ADDRESS. */
export function checkAddress(address: unknown): HostAddress {
  if (typeof address !== "string") throw invalidAddress(address, "not a string");
  const parsed = parseHostAddress(address);
  if (!parsed.ok) throw invalidAddress(address, parsed.reason);
  return parsed.address;
}

/**
 * Every address, canonical and without duplicates (in first-seen order, since the first
 * address's cursor drives the scan). Throws NO_ADDRESSES or INVALID_ADDRESS.
 */
export function checkAddresses(addresses: readonly string[]): HostAddress[] {
  if (!Array.isArray(addresses) || addresses.length === 0) throw noAddresses();
  const seen = new Map<string, HostAddress>();
  for (const input of addresses) {
    const address = checkAddress(input);
    if (!seen.has(address.text)) seen.set(address.text, address);
  }
  return [...seen.values()];
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
