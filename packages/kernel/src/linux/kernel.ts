/** Assembles the Linux Kernel from its parts. */
import type { Kernel } from "@netd/driverapi";
import { createAddresses } from "./addresses.js";
import { createConntrack } from "./conntrack.js";
import type { LinuxContext } from "./context.js";
import { createLinks } from "./links.js";
import { createNetnsApi } from "./netns.js";
import { createNeighbours } from "./neighbours.js";
import { createNft } from "./nft.js";
import { createRoutes } from "./routes.js";
import { SocketCache } from "./socket-cache.js";
import { createSysctl } from "./sysctl.js";

/** Options of {@link createLinuxKernel}. */
export interface LinuxKernelOptions {
  /** How long a netlink request may wait for the kernel's answer, in ms. Default 10000. */
  readonly timeoutMs?: number;
}

/**
 * Creates the Linux implementation of the Kernel interface: rtnetlink and ctnetlink
 * through @netd/netlink-native (one cached socket per namespace, requests serialized per
 * socket), libnftables in process, namespaces and sysctls via setns on throwaway threads.
 * Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN). Call `close()` when done.
 */
export function createLinuxKernel(options: LinuxKernelOptions = {}): Kernel {
  const sockets = new SocketCache(options.timeoutMs);
  const ctx: LinuxContext = { sockets };
  return {
    netns: createNetnsApi(sockets),
    links: createLinks(ctx),
    addresses: createAddresses(ctx),
    routes: createRoutes(ctx),
    sysctl: createSysctl(),
    nft: createNft(ctx),
    conntrack: createConntrack(ctx),
    neighbours: createNeighbours(ctx),
    close: () => sockets.close(),
  };
}
