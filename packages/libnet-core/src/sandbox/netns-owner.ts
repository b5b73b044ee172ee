import type { NetnsPath } from "@netd/driverapi";
import type { Core } from "../core.js";
import { coreError } from "../errors.js";

/**
 * Refuses a caller-given namespace that does not exist, that is the daemon's host namespace
 * (a connect would put eth0 and a default route into the host), or that another sandbox
 * already uses. Paths are compared by namespace identity, so /proc/self/ns/net, /proc/PID/ns/net
 * and a /run/netns bind mount of the same namespace are one.
 */
export async function checkNetnsFree(core: Core, netns: NetnsPath): Promise<void> {
  if (!(await core.kernel.netns.exists(netns))) {
    throw coreError("INVALID_ARGUMENT", `network namespace ${JSON.stringify(netns)} does not exist`, "create it first (ip netns add) or omit it to let netd create one", { netns });
  }
  const identity = await core.kernel.netns.identity(netns);
  if (identity === (await core.kernel.netns.identity(core.hostNetns))) {
    throw coreError("INVALID_ARGUMENT", `network namespace ${netns} is netd's own host namespace`, "give each sandbox a namespace of its own (ip netns add NAME), or omit netns to let netd create one", { netns });
  }
  for (const sb of core.state.sandboxes.values()) {
    const other = await core.kernel.netns.identity(sb.netns).catch(() => null);
    if (other === identity) {
      throw coreError("SANDBOX_EXISTS", `network namespace ${netns} is already used by sandbox '${sb.name}'`, `remove sandbox '${sb.name}' first or use another namespace`, { netns, sandbox: sb.name });
    }
  }
}
