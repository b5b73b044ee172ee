/**
 * The parent link of an ipvlan network: which links may be one, and the VLAN sub-interface
 * or internal dummy netd creates when the network needs it.
 */
import type { DriverContext, LinkInfo } from "@netd/driverapi";
import { isNetdError } from "@netd/driverapi";
import { ipvlanError } from "./errors.js";
import { vlanParent, type IpvlanConfig } from "./options.js";

/** MAC prefix netd gives its bridges (02:6e:64 = "nd"); such a bridge is never a parent. */
const NETD_BRIDGE_MAC_PREFIX = "02:6e:64:";

/** What createNetwork must create before the network's parent exists; null: it exists. */
export type ParentPlan = { readonly kind: "existing" } | { readonly kind: "vlan"; readonly base: string; readonly vlanId: number } | { readonly kind: "dummy" };

/** Refuses `lo` and links netd owns, naming the link and what to use instead. */
function checkAllowed(link: LinkInfo, parent: string): void {
  const owned =
    link.name === "lo"
      ? "the loopback device"
      : link.kind === "bridge" && link.mac.startsWith(NETD_BRIDGE_MAC_PREFIX)
        ? "a bridge netd created"
        : link.kind === "veth" && link.name.startsWith("veth")
          ? "a veth netd created for an endpoint"
          : null;
  if (owned !== null) {
    const via = link.name === parent ? "" : ` (the base of '${parent}')`;
    throw ipvlanError("PARENT_NOT_ALLOWED", `parent '${link.name}'${via} is ${owned} and cannot carry ipvlan networks`, "name a physical or dummy host interface, or omit parent for an internal network", { parent });
  }
}

/**
 * Decides, without changing anything, how the parent of `cfg` comes to exist: it exists
 * already, it is a VLAN sub-interface "base.id" of an existing link, or it is the network's
 * own dummy. Throws the 4xx errors for a parent that is missing or not allowed.
 */
export async function planParent(ctx: DriverContext, cfg: IpvlanConfig): Promise<ParentPlan> {
  if (cfg.dummy) return { kind: "dummy" };
  const link = await ctx.kernel.links.get(ctx.hostNetns, cfg.parent);
  if (link !== null) {
    checkAllowed(link, cfg.parent);
    return { kind: "existing" };
  }
  const vlan = vlanParent(cfg.parent);
  const base = vlan === null ? null : await ctx.kernel.links.get(ctx.hostNetns, vlan.base);
  if (vlan === null || base === null) {
    const wanted = vlan === null ? "" : `, and its base '${vlan.base}' does not exist either`;
    throw ipvlanError("PARENT_NOT_FOUND", `parent interface '${cfg.parent}' does not exist in the host namespace${wanted}`, "name an existing interface, or 'LINK.VLANID' (e.g. eth0.10) of an existing link to have netd create the VLAN sub-interface", { parent: cfg.parent });
  }
  checkAllowed(base, cfg.parent);
  return { kind: "vlan", base: vlan.base, vlanId: vlan.vlanId };
}

const FEATURES = {
  ipvlan: { what: "ipvlan", config: "CONFIG_IPVLAN", module: "ipvlan", hint: "run netd on a kernel with ipvlan support, or use the bridge driver" },
  dummy: { what: "dummy (needed for an ipvlan network without a parent)", config: "CONFIG_DUMMY", module: "dummy", hint: "run netd on a kernel with the dummy module, or give the network a parent (-o parent=IFACE)" },
  vlan: { what: "802.1Q VLAN (needed for the parent sub-interface)", config: "CONFIG_VLAN_8021Q", module: "8021q", hint: "load the 8021q module, or create the VLAN sub-interface yourself, or use an existing parent" },
} as const;

/** Turns the kernel's "no such link kind" into the driver's error naming the missing feature. */
export function missingFeature(e: unknown, kind: keyof typeof FEATURES, network: string): Error {
  if (!isNetdError(e) || e.code !== "LINK_KIND_UNSUPPORTED") return e instanceof Error ? e : new Error(String(e));
  const f = FEATURES[kind];
  return ipvlanError("KERNEL_FEATURE_MISSING", `cannot create ipvlan network '${network}': this kernel has no ${f.what} driver (${f.config}, module ${f.module})`, f.hint, { feature: f.module }, e);
}
