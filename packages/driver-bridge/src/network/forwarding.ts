/**
 * Step 4: IP forwarding in the host namespace. The reference's nftables backend only checks
 * it and fails; netd enables it (and logs that it did) when a non-internal network needs a
 * family, as Docker users expect from `--ip-forward` (the default). IPv6 forwarding is
 * touched only for networks with IPv6. br_netfilter's `bridge-nf-call-ip(6)tables` is turned
 * on when icc is off or the proxy is off (reference §4.3 step 7), where the kernel has it.
 * Sysctls are not reverted at network delete (other networks or the host may rely on them);
 * a failed create reverts what this call changed.
 */
import type { DriverContext } from "@netd/driverapi";
import { isNetdError } from "@netd/driverapi";
import { bridgeError } from "../errors.js";
import type { BridgeNetworkConfig } from "../model.js";
import type { UndoStack } from "@netd/driverapi";

async function ensure(ctx: DriverContext, key: string, undo: UndoStack, why: string): Promise<boolean> {
  let value: string;
  try {
    value = (await ctx.kernel.sysctl.get(ctx.hostNetns, key)).trim();
  } catch (e) {
    if (isNetdError(e) && e.code === "SYSCTL_NOT_FOUND") return false;
    throw e;
  }
  if (value === "1") return true;
  try {
    await ctx.kernel.sysctl.set(ctx.hostNetns, key, "1");
  } catch (e) {
    throw bridgeError("FORWARDING_DISABLED", `${key} is ${value} and could not be set to 1 (${e instanceof Error ? e.message : String(e)})`, "enable it on the host or make the network internal", { key }, e);
  }
  undo.push(`sysctl ${key}`, () => ctx.kernel.sysctl.set(ctx.hostNetns, key, value));
  ctx.log.info(`enabled ${key} in the host namespace`, { key, reason: why });
  return true;
}

export async function ensureForwarding(ctx: DriverContext, n: BridgeNetworkConfig, undo: UndoStack, userlandProxy: boolean): Promise<void> {
  if (!n.internal) {
    if (n.subnet4) await ensure(ctx, "net.ipv4.ip_forward", undo, `network '${n.name}' routes IPv4`);
    if (n.subnet6) await ensure(ctx, "net.ipv6.conf.all.forwarding", undo, `network '${n.name}' routes IPv6`);
  }
  if (!n.icc || !userlandProxy) {
    const ok = await ensure(ctx, "net.bridge.bridge-nf-call-iptables", undo, `network '${n.name}': icc off or userland proxy off`);
    if (ok && n.subnet6) await ensure(ctx, "net.bridge.bridge-nf-call-ip6tables", undo, `network '${n.name}': icc off or userland proxy off`);
    if (!ok) ctx.log.warn("br_netfilter is not available: icc=false and hairpin through published ports are not enforced on bridged traffic", { network: n.name });
  }
}
