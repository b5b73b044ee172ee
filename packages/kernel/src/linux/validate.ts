/**
 * Validation of every value before any system call. Each function throws a NetdError of
 * category `invalid` naming the value and what is allowed.
 */
import { isAbsolute } from "node:path";
import type { IpFamily } from "@netd/driverapi";
import { IFNAME_RULE, interfaceNameProblem } from "@netd/driverapi";
import { kernelError } from "./errors.js";
import { parseIp } from "./ip-text.js";

/** The shared interface-name rule of @netd/driverapi (stricter than dev_valid_name: no '%'). */
export function validateIfName(name: unknown, what = "interface name"): string {
  const problem = interfaceNameProblem(name);
  if (problem !== null) {
    throw kernelError("INVALID_INTERFACE_NAME", `${what} ${JSON.stringify(name)} is not a valid interface name: it ${problem}`, IFNAME_RULE, { value: name });
  }
  return name as string;
}

/** A namespace name for /run/netns: like an interface name rule but up to 255 bytes. */
export function validateNetnsName(name: unknown): string {
  const ok = typeof name === "string" && /^[A-Za-z0-9_.-]{1,255}$/.test(name) && name !== "." && name !== "..";
  if (!ok) {
    throw kernelError("INVALID_NETNS", `namespace name ${JSON.stringify(name)} is not valid`, "use letters, digits, '_', '.', '-' (not '.' or '..')", { value: name });
  }
  return name;
}

/** An absolute path without NUL or "..", e.g. /run/netns/x or /proc/123/ns/net. */
export function validateNetnsPath(path: unknown): string {
  const ok = typeof path === "string" && isAbsolute(path) && !path.includes("\0") && !path.split("/").includes("..") && path.length < 4096;
  if (!ok) {
    throw kernelError("INVALID_NETNS", `namespace path ${JSON.stringify(path)} is not valid`, "pass /run/netns/NAME or /proc/PID/ns/net", { value: path });
  }
  return path;
}

/** A parsed address with its prefix. */
export interface ParsedCidr {
  readonly family: IpFamily;
  readonly bytes: Buffer;
  readonly prefix: number;
  readonly text: string;
}

/** An address without prefix ("10.0.0.1", "fd00::1"). */
export function validateIp(value: unknown, what = "address", family?: IpFamily): ParsedCidr {
  const addr = typeof value === "string" ? parseIp(value) : null;
  if (!addr || (family !== undefined && addr.family !== family)) {
    throw kernelError("INVALID_ADDRESS", `${what} ${JSON.stringify(value)} is not a valid IPv${family ?? "4 or IPv6"} address`, "write it like 10.0.0.1 or fd00::1", { value });
  }
  return { family: addr.family, bytes: addr.bytes, prefix: addr.family === 4 ? 32 : 128, text: addr.text };
}

/** An address with prefix length ("10.0.0.2/24"). */
export function validateCidr(value: unknown, what = "address", family?: IpFamily): ParsedCidr {
  const str = typeof value === "string" ? value : "";
  const slash = str.indexOf("/");
  const prefixText = str.slice(slash + 1);
  const addr = slash > 0 ? parseIp(str.slice(0, slash)) : null;
  const prefix = Number(prefixText);
  if (!addr || !/^\d{1,3}$/.test(prefixText) || prefix > (addr.family === 4 ? 32 : 128) || (family !== undefined && addr.family !== family)) {
    throw kernelError("INVALID_ADDRESS", `${what} ${JSON.stringify(value)} is not a valid IPv${family ?? "4 or IPv6"} address with prefix`, "write it like 10.0.0.2/24 or fd00::2/64", { value });
  }
  return { family: addr.family, bytes: addr.bytes, prefix, text: `${addr.text}/${prefix}` };
}

export function validateMtu(mtu: unknown): number {
  if (typeof mtu !== "number" || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
    throw kernelError("INVALID_MTU", `MTU ${String(mtu)} is out of range`, "use an integer from 68 to 65535", { value: mtu });
  }
  return mtu;
}

export function validateMac(mac: unknown): string {
  if (typeof mac !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) {
    throw kernelError("INVALID_MAC", `MAC address ${JSON.stringify(mac)} is not valid`, "write six hex bytes like 02:42:ac:11:00:02", { value: mac });
  }
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 1) {
    throw kernelError("INVALID_MAC", `MAC address ${mac} is a multicast address`, "clear the lowest bit of the first byte, e.g. 02:...", { value: mac });
  }
  return mac.toLowerCase();
}

export function validateVlanId(id: unknown): number {
  if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > 4094) {
    throw kernelError("INVALID_VLAN_ID", `VLAN id ${String(id)} is out of range`, "use an integer from 1 to 4094", { value: id });
  }
  return id;
}

/**
 * A sysctl key in dotted ("net.ipv4.ip_forward") or slash form, mapped to its /proc/sys
 * path. Only net.* keys: they are the per-namespace ones, and writing any other key from
 * inside a namespace would change the whole machine.
 */
export function sysctlPath(key: unknown): string {
  const str = typeof key === "string" ? key : "";
  const rel = str.includes("/") ? str : str.replaceAll(".", "/");
  const segments = rel.split("/");
  const ok =
    str.length > 0 &&
    str.length < 512 &&
    segments[0] === "net" &&
    segments.length >= 2 &&
    segments.every((s) => /^[A-Za-z0-9_.-]+$/.test(s) && s !== "." && s !== "..");
  if (!ok) {
    throw kernelError("INVALID_SYSCTL_KEY", `sysctl key ${JSON.stringify(key)} is not allowed`, "use a net.* key such as net.ipv4.ip_forward (segments of letters, digits, '_', '-', '.')", { value: key });
  }
  return `/proc/sys/${rel}`;
}

/** A nonnegative 32-bit integer (route metric, table id). */
export function validateU32(value: unknown, what: string, min = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 0xffffffff) {
    throw kernelError("INVALID_ROUTE", `${what} ${String(value)} is not an integer from ${min} to 4294967295`, undefined, { value });
  }
  return value;
}
