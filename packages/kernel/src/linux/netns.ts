/** Network namespaces under /run/netns, compatible with `ip netns`. */
import type { NetnsApi } from "@netd/driverapi";
import { readdir } from "node:fs/promises";
import * as native from "@netd/netlink-native";
import { kernelError, fromErrno } from "./errors.js";
import type { SocketCache } from "./socket-cache.js";
import { validateNetnsName, validateNetnsPath } from "./validate.js";

const RUN_DIR = "/run/netns/";

function errnoOf(e: unknown): number {
  return typeof e === "object" && e !== null && typeof (e as { errno?: unknown }).errno === "number" ? (e as { errno: number }).errno : 0;
}

/** The Linux implementation of {@link NetnsApi}. */
export function createNetnsApi(sockets: SocketCache): NetnsApi {
  return {
    async create(name) {
      validateNetnsName(name);
      try {
        return await native.createNetns(name);
      } catch (e) {
        const errno = errnoOf(e);
        if (errno === 17) {
          throw kernelError("NETNS_EXISTS", `network namespace ${name} already exists (${RUN_DIR}${name})`, "pick another name or delete the existing namespace", { op: "create netns", names: [name], errno, kernelMessage: null }, e);
        }
        throw fromErrno({ op: "create netns", names: [name], netns: RUN_DIR + name }, errno || 5, e instanceof Error ? e.message : String(e));
      }
    },

    async delete(nameOrPath) {
      const path = nameOrPath.includes("/") ? validateNetnsPath(nameOrPath) : RUN_DIR + validateNetnsName(nameOrPath);
      await sockets.release(path);
      // Only bind mounts under /run/netns are ours to remove; for another path (a
      // container's /proc/PID/ns/net) delete just releases the cached socket and descriptor.
      if (!path.startsWith(RUN_DIR) || path.slice(RUN_DIR.length).includes("/")) return;
      try {
        await native.deleteNetns(path);
      } catch (e) {
        throw fromErrno({ op: "delete netns", names: [path], netns: path }, errnoOf(e) || 5, e instanceof Error ? e.message : String(e));
      }
    },

    async release(path) {
      await sockets.release(validateNetnsPath(path));
    },

    async exists(path) {
      validateNetnsPath(path);
      return native.isNetns(path);
    },

    async list() {
      try {
        return (await readdir(RUN_DIR)).sort();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw fromErrno({ op: "list netns", names: [RUN_DIR], netns: RUN_DIR }, errnoOf(e) || 5, e instanceof Error ? e.message : String(e));
      }
    },

    async identity(path) {
      validateNetnsPath(path);
      const identity = await native.netnsIdentity(path);
      if (identity === null) {
        throw kernelError("NETNS_NOT_FOUND", `${path} is not a network namespace`, "check the path (ip netns list)", { op: "identify netns", names: [path], errno: 2, kernelMessage: null });
      }
      return identity;
    },
  };
}
