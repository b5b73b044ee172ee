import type { NetnsApi, NetnsPath } from "@netd/driverapi";
import { removeLink } from "./cascade.js";
import { fail } from "./errors.js";
import type { FakeWorld, SyncApi } from "./state.js";
import { checkNetnsName } from "./validate.js";

/** Where `ip netns` (and the fake) keeps named namespaces. */
export const NETNS_DIR = "/run/netns";

/** Builds the NetnsApi over `world`; `hostNetns` is the daemon's own namespace and cannot be deleted. */
export function createNamespaces(world: FakeWorld, hostNetns: NetnsPath): SyncApi<NetnsApi> {
  return {
    create(name: string): NetnsPath {
      const path = `${NETNS_DIR}/${checkNetnsName(name)}`;
      if (world.namespaces.has(path) || world.staleNetnsFiles.has(name)) {
        throw fail("NETNS_EXISTS", `network namespace ${path} already exists`, `pick another name or delete '${name}' first`, { netns: path });
      }
      world.addNamespace(path);
      return path;
    },

    delete(nameOrPath: string): void {
      const path = typeof nameOrPath === "string" && nameOrPath.startsWith("/") ? nameOrPath : `${NETNS_DIR}/${checkNetnsName(nameOrPath)}`;
      if (path === hostNetns) {
        throw fail("INVALID_NETNS", `${path} is the host namespace and cannot be deleted`, "delete only namespaces netd created");
      }
      if (path.startsWith(`${NETNS_DIR}/`)) world.staleNetnsFiles.delete(path.slice(NETNS_DIR.length + 1));
      const ns = world.namespaces.get(path);
      if (!ns) return;
      // Destroying a namespace destroys its devices; veth peers elsewhere die with them.
      for (const link of [...ns.links.values()]) removeLink(world, ns, link);
      world.namespaces.delete(path);
    },

    // The fake caches nothing per namespace; the call is still recorded for assertions.
    release(path: NetnsPath): void {
      if (typeof path !== "string" || !path.startsWith("/")) {
        throw fail("INVALID_NETNS", `namespace path ${JSON.stringify(path)} is not absolute`, "pass /run/netns/NAME or /proc/PID/ns/net");
      }
    },

    exists(path: NetnsPath): boolean {
      return typeof path === "string" && world.namespaces.has(path);
    },

    // Like readdir of /run/netns: a stale plain file is listed too.
    list(): string[] {
      return [
        ...[...world.namespaces.keys()].filter((p) => p.startsWith(`${NETNS_DIR}/`)).map((p) => p.slice(NETNS_DIR.length + 1)),
        ...world.staleNetnsFiles,
      ].sort();
    },

    // Each fake namespace has exactly one path, so the path is its identity.
    identity(path: NetnsPath): string {
      if (typeof path !== "string" || !world.namespaces.has(path)) {
        throw fail("NETNS_NOT_FOUND", `network namespace ${JSON.stringify(path)} does not exist`, "check the path", { netns: path });
      }
      return `fake:${path}`;
    },
  };
}
