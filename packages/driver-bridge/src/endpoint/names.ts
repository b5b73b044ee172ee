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

/** A host-side veth name that does not exist in the host namespace: `veth` + 7 hex chars. */
export async function hostVethName(ctx: DriverContext): Promise<string> {
  for (let i = 0; i < 8; i++) {
    const name = `veth${randomBytes(4).toString("hex").slice(0, 7)}`;
    if (!(await ctx.kernel.links.get(ctx.hostNetns, name))) return name;
  }
  throw bridgeError("IFNAME_CONFLICT", "could not find a free veth name in the host namespace after 8 tries", "check for leaked veth devices");
}

/**
 * The interface name inside the sandbox: the endpoint's ifname option (which must be free)
 * or `prefix` + the lowest index not in use there (eth0, eth1, …).
 */
export async function containerIfname(ctx: DriverContext, netns: NetnsPath, wanted: string | null, prefix: string): Promise<string> {
  const names = new Set((await ctx.kernel.links.list(netns)).map((l) => l.name));
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
