/** Host-address normalisation for bindings (reference §4.6): unmapping and canonical text. */

/**
 * Canonical text of an IP address (shared with the allocator, so keys agree): IPv4 dotted
 * quad, IPv6 in RFC 5952 form, IPv4-mapped IPv6 unmapped; null for anything else.
 */
export { canonicalIp } from "@netd/driverapi";

/** 4 or 6 for a canonical address. */
export function familyOf(ip: string): 4 | 6 {
  return ip.includes(":") ? 6 : 4;
}

/** Strips a "/prefix" suffix (EndpointInfo addresses carry one). */
export function withoutPrefix(cidr: string): string {
  const slash = cidr.indexOf("/");
  return slash < 0 ? cidr : cidr.slice(0, slash);
}
