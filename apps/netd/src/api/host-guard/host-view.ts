/**
 * What the API checks input against in the host's network namespace: its routes (a subnet
 * that overlaps one would hijack that traffic) and its addresses (a port can only be published
 * on an address the host has). Read on each request: the host's routes change.
 */
import type { Kernel, NetnsPath } from "@netd/driverapi";

/** A route of the host namespace: its prefix, and whether the prefix is on a link (no gateway). */
export interface HostRoute {
  readonly to: string;
  readonly dev?: string;
  readonly onLink: boolean;
}

/** The host namespace as the API's input checks see it. */
export interface HostView {
  /** Routes of both families, without default routes. */
  routes(): Promise<HostRoute[]>;
  /** Addresses of every interface, without prefix lengths. */
  addresses(): Promise<string[]>;
}

/** A HostView backed by the kernel, reading the namespace at `hostNetns`. */
export function kernelHostView(kernel: Kernel, hostNetns: NetnsPath = "/proc/self/ns/net"): HostView {
  return {
    async routes() {
      const all = [...(await kernel.routes.list(hostNetns, 4)), ...(await kernel.routes.list(hostNetns, 6))];
      return all.filter((r) => r.to !== "default" && (r.table === undefined || r.table === 254)).map((r) => ({ to: r.to, ...(r.dev ? { dev: r.dev } : {}), onLink: r.via === undefined }));
    },
    async addresses() {
      return (await kernel.addresses.list(hostNetns)).map((a) => a.address.split("/")[0]!);
    },
  };
}
