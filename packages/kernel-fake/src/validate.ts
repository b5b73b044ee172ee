import ipaddr from "ipaddr.js";
import type { IpFamily } from "@netd/driverapi";
import { IFNAME_RULE, interfaceNameProblem } from "@netd/driverapi";
import { fail } from "./errors.js";

/** An address parsed by {@link parseIp}. */
export type ParsedIp = ipaddr.IPv4 | ipaddr.IPv6;

/** The shared interface-name rule of @netd/driverapi, as the Linux Kernel applies it. */
export function checkLinkName(name: unknown, what = "interface name"): string {
  const problem = interfaceNameProblem(name);
  if (problem !== null) throw fail("INVALID_INTERFACE_NAME", `${what} ${JSON.stringify(name)} is invalid: it ${problem}`, IFNAME_RULE);
  return name as string;
}

/** An `ip netns` name: 1–255 chars, no '/', NUL or whitespace, not "." or "..". */
export function checkNetnsName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 255 || name === "." || name === ".." || /[/\s\0]/.test(name)) {
    throw fail("INVALID_NETNS", `namespace name ${JSON.stringify(name)} is invalid`, "use 1-255 characters without '/' or whitespace");
  }
  return name;
}

/** MTU between 68 (IPv4 minimum) and 65535. */
export function checkMtu(mtu: unknown): number {
  if (typeof mtu !== "number" || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
    throw fail("INVALID_MTU", `MTU ${String(mtu)} is invalid`, "use an integer between 68 and 65535");
  }
  return mtu;
}

/** A unicast MAC in colon form; returned lower-case (as the kernel reports it). */
export function checkMac(mac: unknown): string {
  if (typeof mac !== "string" || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) {
    throw fail("INVALID_MAC", `MAC ${JSON.stringify(mac)} is invalid`, "use six colon-separated hex bytes, e.g. 02:42:ac:11:00:02");
  }
  const lower = mac.toLowerCase();
  if ((parseInt(lower.slice(0, 2), 16) & 1) === 1 || lower === "00:00:00:00:00:00") {
    throw fail("INVALID_MAC", `MAC ${mac} is not a unicast address`, "clear the multicast bit of the first byte");
  }
  return lower;
}

/** Parses an IPv4 (dotted quad only) or IPv6 address without zone; null if invalid. */
export function parseIp(value: unknown): ParsedIp | null {
  if (typeof value !== "string" || value.includes("%")) return null;
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value);
  if (ipaddr.IPv6.isValid(value)) return ipaddr.IPv6.parse(value);
  return null;
}

/** The family of a parsed address. */
export function familyOf(ip: ParsedIp): IpFamily {
  return ip.kind() === "ipv4" ? 4 : 6;
}

/** Canonical text of an address: dotted quad, or RFC 5952 for IPv6. */
export function ipText(ip: ParsedIp): string {
  return ip.kind() === "ipv6" ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
}

/** A parsed `address/prefix`. */
export interface ParsedCidr {
  readonly ip: ParsedIp;
  readonly prefix: number;
  readonly family: IpFamily;
  /** Canonical `address/prefix`, host bits kept (as an interface address). */
  readonly text: string;
  /** Canonical `network/prefix`, host bits cleared. */
  readonly network: string;
}

/** Parses `address/prefix` or throws INVALID_ADDRESS naming `what`. */
export function parseCidr(value: unknown, what = "address"): ParsedCidr {
  const text = typeof value === "string" ? value : "";
  const slash = text.indexOf("/");
  const ip = slash > 0 ? parseIp(text.slice(0, slash)) : null;
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  const max = ip ? (ip.kind() === "ipv4" ? 32 : 128) : 0;
  if (!ip || !/^\d{1,3}$/.test(prefixText) || prefix > max) {
    throw fail("INVALID_ADDRESS", `${what} ${JSON.stringify(value)} is not a valid CIDR`, "use address/prefix, e.g. 10.0.0.2/24 or fd00::2/64");
  }
  const family = familyOf(ip);
  const canon = `${ipText(ip)}/${prefix}`;
  const net = family === 4 ? ipaddr.IPv4.networkAddressFromCIDR(canon) : ipaddr.IPv6.networkAddressFromCIDR(canon);
  return { ip, prefix, family, text: canon, network: `${ipText(net)}/${prefix}` };
}

/** True if `ip` lies inside `cidr` (same family). */
export function inSubnet(ip: ParsedIp, cidr: ParsedCidr): boolean {
  return ip.kind() === cidr.ip.kind() && ip.match(cidr.ip, cidr.prefix);
}
