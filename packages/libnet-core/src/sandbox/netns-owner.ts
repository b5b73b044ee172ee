import type { NetnsPath } from "@netd/driverapi";
import type { Core } from "../core.js";
import { coreError } from "../errors.js";

/**
 * Namespace identities already read, per controller: the host's, and each sandbox's by id.
 * A namespace's identity (device and inode of its nsfs file) does not change while it lives,
 * so each sandbox's namespace is stat'ed once instead of once per later create: with a
 * thousand sandboxes the old loop cost a thousand stats and pool round trips per create.
 */
interface IdentityCache {
  host: string | null;
  bySandbox: Map<string, string | null>;
}
const caches = new WeakMap<Core, IdentityCache>();

async function identityOrNull(core: Core, netns: NetnsPath): Promise<string | null> {
  return core.kernel.netns.identity(netns).catch(() => null);
}

/**
 * Refuses a caller-given namespace that does not exist, that is the daemon's host namespace
 * (a connect would put eth0 and a default route into the host), or that another sandbox
 * already uses. Paths are compared by namespace identity, so /proc/self/ns/net, /proc/PID/ns/net
 * and a /run/netns bind mount of the same namespace are one.
 */
export async function checkNetnsFree(core: Core, netns: NetnsPath): Promise<void> {
  // identity() both checks the path and reads its identity: one kernel call, not two.
  const identity = await core.kernel.netns.identity(netns).catch((e: unknown) => {
    if ((e as { code?: unknown }).code !== "NETNS_NOT_FOUND") throw e;
    throw coreError("INVALID_ARGUMENT", `network namespace ${JSON.stringify(netns)} does not exist`, "create it first (ip netns add) or omit it to let netd create one", { netns });
  });
  let cache = caches.get(core);
  if (cache === undefined) caches.set(core, (cache = { host: null, bySandbox: new Map() }));
  cache.host ??= await core.kernel.netns.identity(core.hostNetns);
  if (identity === cache.host) {
    throw coreError("INVALID_ARGUMENT", `network namespace ${netns} is netd's own host namespace`, "give each sandbox a namespace of its own (ip netns add NAME), or omit netns to let netd create one", { netns });
  }
  for (const id of [...cache.bySandbox.keys()]) if (!core.state.sandboxes.has(id)) cache.bySandbox.delete(id);
  for (const sb of core.state.sandboxes.values()) {
    let other = cache.bySandbox.get(sb.id);
    if (other === undefined || other === null) {
      other = await identityOrNull(core, sb.netns);
      // A namespace that could not be read (gone) is read again next time.
      cache.bySandbox.set(sb.id, other);
    }
    // A cached identity can be stale only if the sandbox's namespace died and its inode was
    // reused: confirm a match against the live namespace before refusing.
    if (other === identity && (await identityOrNull(core, sb.netns)) === identity) {
      throw coreError("SANDBOX_EXISTS", `network namespace ${netns} is already used by sandbox '${sb.name}'`, `remove sandbox '${sb.name}' first or use another namespace`, { netns, sandbox: sb.name });
    }
  }
}
