/** Interface names and MACs of an endpoint, chosen before any kernel change. */
import { randomBytes } from "node:crypto";
import type { DriverContext, NetnsPath } from "@netd/driverapi";
import { bridgeError } from "../errors.js";

/** A random locally administered unicast MAC (02:xx:…), as Docker generates. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/**
 * netd's mark on the bridges it creates: a locally administered MAC starting 02:6e:64 ("nd"),
 * set in the creating request, so the mark and the bridge appear together. The fourth byte
 * names the driver instance (a hash of its nft table name), so that restore's orphan sweep of
 * one driver (bridge, routed) never takes another's bridges. Crash recovery deletes a bridge it
 * has no record of only when it carries the mark (a user-named bridge could otherwise be
 * someone else's).
 */
const BRIDGE_MAC_PREFIX = "02:6e:64:";

/** The fourth MAC byte of a driver instance's bridges, from its nft table name (FNV-1a, folded). */
export function bridgeMarkOf(table: string): string {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(table)) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return ((h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff).toString(16).padStart(2, "0");
}

/** A random bridge MAC carrying netd's mark and the driver instance's byte (`bridgeMarkOf`). */
export function netdBridgeMac(mark: string): string {
  return BRIDGE_MAC_PREFIX + mark + ":" + [...randomBytes(2)].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** True for a MAC made by `netdBridgeMac`, of any driver instance. */
export function isNetdBridgeMac(mac: string): boolean {
  return mac.toLowerCase().startsWith(BRIDGE_MAC_PREFIX);
}

/** True for a MAC made by `netdBridgeMac(mark)`: a bridge of this driver instance. */
export function isOwnBridgeMac(mac: string, mark: string): boolean {
  return mac.toLowerCase().startsWith(BRIDGE_MAC_PREFIX + mark + ":");
}

/** Host veth names netd derives (`hostVethName`): the sweep takes no other link from a bridge. */
export const HOST_VETH_PATTERN = /^veth[0-9a-f]{7}$/;

/**
 * The host-side veth of an endpoint: `veth` + the first 7 hex characters of its id. Derived,
 * not random, so that `leave` finds it from the endpoint alone, also after a crash
 * interrupted the join that made it (the driver contract's crash-consistency rule).
 */
export function hostVethName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}

/**
 * Refuses a host veth name that is taken by a link that is not this endpoint's leftover
 * (another program's veth with the same 7 hex characters: about 1 in 2^28 per pair).
 */
export async function checkHostVethFree(ctx: DriverContext, name: string): Promise<void> {
  const link = await ctx.kernel.links.get(ctx.hostNetns, name);
  if (link) {
    throw bridgeError("IFNAME_CONFLICT", `a link named '${name}' (kind '${link.kind || "none"}') already exists in the host namespace`, "delete that link, or disconnect and connect again (a new endpoint gets another name)", { ifname: name });
  }
}

/** Names of the links in `netns`. */
export async function linkNames(ctx: DriverContext, netns: NetnsPath): Promise<Set<string>> {
  return new Set((await ctx.kernel.links.list(netns)).map((l) => l.name));
}

/**
 * The interface name inside the sandbox: the endpoint's ifname option (which must be free)
 * or `prefix` + the lowest index not in use there (eth0, eth1, …); `names` are the links in `netns`.
 */
export function containerIfname(netns: NetnsPath, names: ReadonlySet<string>, wanted: string | null, prefix: string): string {
  if (wanted !== null) {
    if (names.has(wanted)) {
      throw bridgeError("IFNAME_CONFLICT", `interface '${wanted}' already exists in sandbox namespace ${netns}`, "pick another com.docker.network.endpoint.ifname", { ifname: wanted, netns });
    }
    return wanted;
  }
  for (let i = 0; ; i++) {
    const name = `${prefix}${i}`;
    if (!names.has(name)) return name;
  }
}
