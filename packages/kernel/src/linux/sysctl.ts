/** sysctls under /proc/sys/net, read and written from a thread inside the namespace. */
import type { SysctlApi } from "@netd/driverapi";
import * as native from "@netd/netlink-native";
import { fromErrno, kernelError } from "./errors.js";
import { assertNetns, isHostPath } from "./socket-cache.js";
import { sysctlPath, validateNetnsPath } from "./validate.js";

function failure(op: string, key: string, netns: string, e: unknown): Error {
  const errno = typeof (e as { errno?: unknown }).errno === "number" ? (e as { errno: number }).errno : 5;
  if (errno === 2) {
    return kernelError("SYSCTL_NOT_FOUND", `sysctl ${key} does not exist in ${netns}`, "check the key; per-interface keys need the interface to exist", { op, names: [key], netns, errno, kernelMessage: null });
  }
  return fromErrno({ op, names: [key], netns }, errno, e instanceof Error ? e.message : undefined);
}

/** The Linux implementation of {@link SysctlApi}. */
export function createSysctl(): SysctlApi {
  return {
    async get(netns, key) {
      validateNetnsPath(netns);
      const file = sysctlPath(key);
      await assertNetns(netns);
      try {
        return (await native.readFileInNetns(isHostPath(netns) ? null : netns, file)).trim();
      } catch (e) {
        throw failure("get sysctl", key, netns, e);
      }
    },

    async set(netns, key, value) {
      validateNetnsPath(netns);
      const file = sysctlPath(key);
      if (typeof value !== "string" || value.length > 4096 || /[\0\n]/.test(value)) {
        throw kernelError("INVALID_SYSCTL_KEY", `value ${JSON.stringify(value)} for sysctl ${key} is not allowed`, "pass one line of text, e.g. \"1\"", { value });
      }
      await assertNetns(netns);
      try {
        await native.writeFileInNetns(isHostPath(netns) ? null : netns, file, value);
      } catch (e) {
        throw failure("set sysctl", key, netns, e);
      }
    },
  };
}
