/**
 * Parsing user-written subnets and addresses into canonical values, with errors that
 * name the value, say what is wrong and what to write instead.
 */
import type { NetdError } from "@netd/driverapi";
import { ipamError } from "./errors.js";
import type { Family, Prefix } from "./subnet.js";
import {
  canonical,
  containsIp,
  familyName,
  formatIp,
  formatPrefix,
  isCanonical,
  parseCidr,
  parseIp,
  reservedRole,
  usableBounds,
} from "./subnet.js";

/**
 * Parses a subnet of `family`. `role` names it in messages ("subnet", "ip-range");
 * errors use INVALID_SUBNET, or INVALID_IP_RANGE when `role` is "ip-range".
 */
export function parseSubnet(family: Family, text: string, role: "subnet" | "ip-range" = "subnet"): Prefix {
  const code = role === "subnet" ? "INVALID_SUBNET" : "INVALID_IP_RANGE";
  const example = family === 4 ? "10.0.0.0/24" : "fd00:1::/64";
  const prefix = parseCidr(text);
  if (!prefix) {
    return fail(
      ipamError(
        code,
        `${role} '${text}' is not a valid ${familyName(family)} CIDR`,
        `write it as address/length with a decimal length and no leading zeros, e.g. ${example}`,
        { [role]: text },
      ),
    );
  }
  if (prefix.family !== family) {
    return fail(
      ipamError(
        code,
        `${role} ${text} is an ${familyName(prefix.family)} prefix where an ${familyName(family)} one was expected`,
        `give it as the ${familyName(prefix.family)} ${role} instead`,
        { [role]: text },
      ),
    );
  }
  if (!isCanonical(prefix)) {
    const fixed = formatPrefix(canonical(prefix));
    return fail(
      ipamError(code, `${role} ${text} has host bits set`, `use ${fixed}`, { [role]: text, suggestion: fixed }),
    );
  }
  return prefix;
}

/**
 * Parses one address of `family` without prefix length. `role` names it in messages
 * ("gateway", "address", "aux-address 'host1'"). Errors use INVALID_ADDRESS.
 */
export function parseAddress(family: Family, text: string, role: string): bigint {
  const ip = parseIp(text);
  if (!ip) {
    const slash = text.includes("/") ? "; give the address without a prefix length" : "";
    const example = family === 4 ? "10.0.0.2" : "fd00:1::2";
    return fail(
      ipamError(
        "INVALID_ADDRESS",
        `${role} '${text}' is not a valid ${familyName(family)} address`,
        `write it like ${example} (decimal parts without leading zeros, no zone id)${slash}`,
        { address: text },
      ),
    );
  }
  if (ip.family !== family) {
    return fail(
      ipamError(
        "INVALID_ADDRESS",
        `${role} ${text} is an ${familyName(ip.family)} address where an ${familyName(family)} one was expected`,
        `ask for it on the ${familyName(ip.family)} side`,
        { address: text },
      ),
    );
  }
  return ip.value;
}

/**
 * Parses an endpoint address written with or without a prefix length; a given length must
 * be the subnet's. Errors use INVALID_ADDRESS.
 */
export function parseEndpointAddress(family: Family, text: string, subnet: Prefix): bigint {
  const slash = text.indexOf("/");
  if (slash < 0) return parseAddress(family, text, "address");
  const value = parseAddress(family, text.slice(0, slash), "address");
  const lengthText = text.slice(slash + 1);
  if (lengthText !== String(subnet.length)) {
    const fixed = `${formatIp(family, value)}/${subnet.length}`;
    return fail(
      ipamError(
        "INVALID_ADDRESS",
        `address ${text} does not have the prefix length of subnet ${formatPrefix(subnet)}`,
        `use ${fixed} or the address alone`,
        { address: text, subnet: formatPrefix(subnet) },
      ),
    );
  }
  return value;
}

/** "10.0.0.1 and 10.0.0.254": the usable span of a subnet, for hints. */
export function usableSpan(subnet: Prefix): string {
  const { first, last } = usableBounds(subnet);
  return `${formatIp(subnet.family, first)} and ${formatIp(subnet.family, last)}`;
}

/**
 * Checks that `value` may be reserved or assigned in `subnet`: inside it (else `outside`
 * code) and not its network, broadcast or anycast address (INVALID_ADDRESS). `role` names
 * the value in messages.
 */
export function checkAssignable(
  subnet: Prefix,
  value: bigint,
  role: string,
  outside: "GATEWAY_OUT_OF_SUBNET" | "ADDRESS_OUT_OF_SUBNET",
): void {
  const text = formatIp(subnet.family, value);
  const cidr = formatPrefix(subnet);
  if (!containsIp(subnet, value)) {
    throw ipamError(outside, `${role} ${text} is not in subnet ${cidr}`, `pick an address between ${usableSpan(subnet)}`, {
      address: text,
      subnet: cidr,
    });
  }
  const reserved = reservedRole(subnet, value);
  if (reserved !== null) {
    throw ipamError(
      "INVALID_ADDRESS",
      `${role} ${text} is the ${reserved} of subnet ${cidr}`,
      `pick an address between ${usableSpan(subnet)}`,
      { address: text, subnet: cidr },
    );
  }
}

function fail(error: NetdError): never {
  throw error;
}
