/**
 * createNetwork and deleteNetwork: validate options and parent, create the VLAN
 * sub-interface or internal dummy when needed, and prove with a short-lived probe link that
 * the kernel can do ipvlan on that parent, so a kernel without ipvlan fails at create time.
 */
import type { DriverContext, NetworkInfo } from "@netd/driverapi";
import { UndoStack } from "@netd/driverapi";
import { ipvlanError } from "./errors.js";
import { dummyName, parseNetworkOptions, probeName, vlanTempName, type IpvlanConfig } from "./options.js";
import { missingFeature, planParent } from "./parent.js";

/** What `ctx.state` keeps per network under `net/<id>`. */
export interface NetworkRecord {
  readonly parent: string;
  /** True when netd created the parent as a VLAN sub-interface and so deletes it with the network. */
  readonly createdVlan: boolean;
}

const key = (networkId: string) => `net/${networkId}`;

/** Refuses a parent another network of this driver already uses (a distinct VLAN sub-interface is a distinct parent). */
async function checkParentFree(ctx: DriverContext, network: NetworkInfo, cfg: IpvlanConfig): Promise<void> {
  if (cfg.dummy) return;
  for (const { key: k, value } of await ctx.state.list<NetworkRecord>("net/")) {
    if (value.parent === cfg.parent && k !== key(network.id)) {
      throw ipvlanError("PARENT_IN_USE", `network ${k.slice(4, 16)} is already using parent interface '${cfg.parent}'`, "delete that network first, or use another parent such as a VLAN sub-interface (e.g. eth0.20)", { parent: cfg.parent });
    }
  }
}

/** Creates the network's kernel objects; see the module comment. Leaves nothing behind on failure. */
export async function createNetwork(ctx: DriverContext, network: NetworkInfo): Promise<IpvlanConfig> {
  const cfg = parseNetworkOptions(network);
  await checkParentFree(ctx, network, cfg);
  const plan = await planParent(ctx, cfg);
  const host = ctx.hostNetns;
  const undo = new UndoStack();
  try {
    if (plan.kind === "dummy") {
      await ctx.kernel.links.addDummy(host, { name: cfg.parent, up: true }).catch((e: unknown) => Promise.reject(missingFeature(e, "dummy", network.name)));
      undo.push(`dummy ${cfg.parent}`, () => ctx.kernel.links.delete(host, cfg.parent));
    } else if (plan.kind === "vlan") {
      // Made under a name derived from the network id and renamed by the last kernel call:
      // a create interrupted before that leaves only a link deleteNetwork can find by id.
      await ctx.kernel.links.addChild(host, { name: vlanTempName(network.id), parent: plan.base, kind: "vlan", vlanId: plan.vlanId }).catch((e: unknown) => Promise.reject(missingFeature(e, "vlan", network.name)));
      undo.push(`vlan ${vlanTempName(network.id)}`, () => ctx.kernel.links.delete(host, vlanTempName(network.id)));
    }
    const lower = plan.kind === "vlan" ? vlanTempName(network.id) : cfg.parent;
    const probe = probeName(network.id);
    await ctx.kernel.links.addChild(host, { name: probe, parent: lower, kind: "ipvlan", mode: cfg.mode, flag: cfg.flag }).catch((e: unknown) => Promise.reject(missingFeature(e, "ipvlan", network.name)));
    undo.push(`probe ${probe}`, () => ctx.kernel.links.delete(host, probe));
    await ctx.kernel.links.delete(host, probe);
    if (plan.kind === "vlan") {
      // One request: the kernel renames before it applies the flags.
      await ctx.kernel.links.set(host, lower, { name: cfg.parent, up: true });
      undo.push(`vlan ${cfg.parent}`, () => ctx.kernel.links.delete(host, cfg.parent));
    }
    const record: NetworkRecord = { parent: cfg.parent, createdVlan: plan.kind === "vlan" };
    await ctx.state.put(key(network.id), record);
    undo.commit();
  } catch (e) {
    await undo.rollback();
    throw e;
  }
  ctx.log.info("ipvlan network created", { network: network.id, parent: cfg.parent, mode: cfg.mode, flag: cfg.flag, createdVlan: plan.kind === "vlan" });
  return cfg;
}

/**
 * Deletes what createNetwork made: the probe and the not yet renamed VLAN link (if a crash
 * left them), the dummy (named from the id) and a VLAN parent netd created (known from the committed record only: after a crash
 * during create the record is gone and a pre-existing link must never be deleted).
 */
export async function deleteNetwork(ctx: DriverContext, network: NetworkInfo): Promise<void> {
  const host = ctx.hostNetns;
  await ctx.kernel.links.delete(host, probeName(network.id));
  await ctx.kernel.links.delete(host, vlanTempName(network.id));
  const record = await ctx.state.get<NetworkRecord>(key(network.id));
  if (record?.createdVlan) await ctx.kernel.links.delete(host, record.parent);
  const parent = network.options["parent"];
  if (parent === undefined || parent === "") await ctx.kernel.links.delete(host, dummyName(network.id));
  await ctx.state.delete(key(network.id));
}
