import type { NetnsPath, SysctlApi } from "@netd/driverapi";
import { sysctlLinkName } from "./cascade.js";
import { fail } from "./errors.js";
import type { FakeWorld, SyncApi } from "./state.js";

/** Values of keys never written, where the kernel's default is not "0". */
const DEFAULTS: readonly [RegExp, string][] = [
  [/^net\.ipv4\.ip_local_port_range$/, "32768\t60999"],
  [/^net\.ipv6\.conf\.[^.]+\.accept_ra$/, "1"],
  [/^net\.ipv6\.conf\.[^.]+\.hop_limit$/, "64"],
  [/^net\.ipv4\.conf\.[^.]+\.send_redirects$/, "1"],
];

/**
 * The canonical dotted form of a sysctl key given dotted ("net.ipv4.ip_forward") or slashed
 * ("net/ipv4/ip_forward"). Only `net.*` keys exist per namespace. Be aware: an interface name
 * with a dot (eth0.100) only survives in slash form, and is then stored dotted.
 */
export function sysctlKey(key: unknown): string {
  const text = typeof key === "string" ? key : "";
  const parts = text.includes("/") ? text.split("/") : text.split(".");
  if (parts.length < 3 || parts[0] !== "net" || parts.some((p) => !/^[A-Za-z0-9_@:.-]+$/.test(p) || p === "." || p === "..")) {
    throw fail("INVALID_SYSCTL_KEY", `sysctl key ${JSON.stringify(key)} is invalid`, "use a net.* key such as net.ipv4.ip_forward or net/ipv6/conf/all/forwarding");
  }
  return parts.join(".");
}

/** Builds the SysctlApi over `world`. Never-written keys read as their kernel default ("0" for most). */
export function createSysctl(world: FakeWorld): SyncApi<SysctlApi> {
  const check = (netns: NetnsPath, key: string): { key: string; ns: ReturnType<FakeWorld["ns"]> } => {
    const ns = world.ns(netns);
    const canon = sysctlKey(key);
    const link = sysctlLinkName(canon);
    // Per-interface keys exist only while the interface does (/proc/sys/net/ipv4/conf/NAME).
    if (link !== null && !ns.links.has(link)) {
      throw fail("SYSCTL_NOT_FOUND", `sysctl ${canon} does not exist in ${ns.path}: there is no interface '${link}'`, "per-interface keys need the interface to exist");
    }
    return { key: canon, ns };
  };
  return {
    get(netns: NetnsPath, key: string): string {
      const { key: canon, ns } = check(netns, key);
      return ns.sysctls.get(canon) ?? DEFAULTS.find(([re]) => re.test(canon))?.[1] ?? "0";
    },
    set(netns: NetnsPath, key: string, value: string): void {
      const { key: canon, ns } = check(netns, key);
      if (typeof value !== "string" || value.trim() === "" || /[\n\r\0]/.test(value.trim())) {
        throw fail("INVALID_SYSCTL_KEY", `sysctl value ${JSON.stringify(value)} for ${canon} is invalid`, "use a single-line value such as \"1\"");
      }
      ns.sysctls.set(canon, value.trim());
    },
  };
}
