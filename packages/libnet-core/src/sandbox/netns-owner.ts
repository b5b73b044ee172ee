import type { NetnsPath } from "@netd/driverapi";
import type { Core } from "../core.js";
import { coreError } from "../errors.js";

/**
 * Namespace identities already read, per controller: the host's, each sandbox's by id, and
 * the reverse (identity → sandbox ids). A namespace's identity (device and inode of its nsfs
 * file) does not change while it lives, so each sandbox's namespace is read once, and a
 * create looks up the identity it was given instead of comparing every sandbox's: with a
 * thousand sandboxes the old loop cost a thousand stats and pool round trips per create,
 * and later still a thousand map lookups. createSandbox and the sandbox deletes keep the
 * cache in step (rememberNetns, forgetNetns); when its size disagrees with the sandboxes
 * (after a restore) it is filled again.
 */
interface IdentityCache {
  host: string | null;
  bySandbox: Map<string, string | null>;
  owners: Map<string, Set<string>>;
  /** Sandboxes whose identity is not read yet or could not be read (namespace gone). */
  unread: Set<string>;
}
const caches = new WeakMap<Core, IdentityCache>();

function cacheOf(core: Core): IdentityCache {
  let cache = caches.get(core);
  if (cache === undefined) caches.set(core, (cache = { host: null, bySandbox: new Map(), owners: new Map(), unread: new Set() }));
  return cache;
}

function setIdentity(cache: IdentityCache, id: string, identity: string | null): void {
  dropIdentity(cache, id);
  cache.bySandbox.set(id, identity);
  if (identity === null) cache.unread.add(id);
  else cache.owners.set(identity, (cache.owners.get(identity) ?? new Set()).add(id));
}

function dropIdentity(cache: IdentityCache, id: string): void {
  const old = cache.bySandbox.get(id);
  cache.bySandbox.delete(id);
  cache.unread.delete(id);
  if (old === undefined || old === null) return;
  const ids = cache.owners.get(old);
  ids?.delete(id);
  if (ids?.size === 0) cache.owners.delete(old);
}

async function identityOrNull(core: Core, netns: NetnsPath): Promise<string | null> {
  return core.kernel.netns.identity(netns).catch(() => null);
}

/** Records a created sandbox's namespace identity (null: read at the next check). */
export function rememberNetns(core: Core, sandboxId: string, identity: string | null): void {
  setIdentity(cacheOf(core), sandboxId, identity);
}

/** Forgets a deleted sandbox's namespace identity. */
export function forgetNetns(core: Core, sandboxId: string): void {
  const cache = caches.get(core);
  if (cache) dropIdentity(cache, sandboxId);
}

/**
 * Refuses a caller-given namespace that does not exist, that is the daemon's host namespace
 * (a connect would put eth0 and a default route into the host), or that another sandbox
 * already uses. Paths are compared by namespace identity, so /proc/self/ns/net, /proc/PID/ns/net
 * and a /run/netns bind mount of the same namespace are one. Resolves to the identity.
 */
export async function checkNetnsFree(core: Core, netns: NetnsPath): Promise<string> {
  // identity() both checks the path and reads its identity: one kernel call, not two.
  const identity = await core.kernel.netns.identity(netns).catch((e: unknown) => {
    if ((e as { code?: unknown }).code !== "NETNS_NOT_FOUND") throw e;
    throw coreError("INVALID_ARGUMENT", `network namespace ${JSON.stringify(netns)} does not exist`, "create it first (ip netns add) or omit it to let netd create one", { netns });
  });
  const cache = cacheOf(core);
  cache.host ??= await core.kernel.netns.identity(core.hostNetns);
  if (identity === cache.host) {
    throw coreError("INVALID_ARGUMENT", `network namespace ${netns} is netd's own host namespace`, "give each sandbox a namespace of its own (ip netns add NAME), or omit netns to let netd create one", { netns });
  }
  const sandboxes = core.state.sandboxes;
  if (cache.bySandbox.size !== sandboxes.size) {
    for (const id of [...cache.bySandbox.keys()]) if (!sandboxes.has(id)) dropIdentity(cache, id);
    for (const id of sandboxes.keys()) if (!cache.bySandbox.has(id)) cache.unread.add(id);
  }
  for (const id of [...cache.unread]) {
    const sb = sandboxes.get(id);
    if (sb === undefined) dropIdentity(cache, id);
    // A namespace that could not be read (gone) stays unread and is read again next time.
    else setIdentity(cache, id, await identityOrNull(core, sb.netns));
  }
  for (const id of [...(cache.owners.get(identity) ?? [])]) {
    const sb = sandboxes.get(id);
    if (sb === undefined) {
      dropIdentity(cache, id);
      continue;
    }
    // A cached identity can be stale only if the sandbox's namespace died and its inode was
    // reused: confirm a match against the live namespace before refusing.
    if ((await identityOrNull(core, sb.netns)) === identity) {
      throw coreError("SANDBOX_EXISTS", `network namespace ${netns} is already used by sandbox '${sb.name}'`, `remove sandbox '${sb.name}' first or use another namespace`, { netns, sandbox: sb.name });
    }
  }
  return identity;
}
