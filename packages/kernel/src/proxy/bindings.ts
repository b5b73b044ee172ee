/**
 * Starting and closing bindings in batches. `start` and a listener's `close` only queue; what
 * one turn of the event loop queued (a sandbox's ports, both address families) goes to
 * netd-proxy in one exchange, in queue order, under the mutex that also orders the proxy's
 * restarts, reconcile and stop. A bind that would collide with a removal earlier in the
 * batch (same protocol and port) first sends what is queued before it.
 */
import type { Logger, UserlandProxyListener, UserlandProxySpec } from "@netd/driverapi";
import type { Mutex } from "async-mutex";
import { closeFd } from "@netd/netlink-native";
import { exchange, type BatchRequest } from "./exchange.js";
import { addRequest, bindingId, validateSpec, type ProxyBindingInfo } from "./protocol.js";

/** What the queue works on; the maps are the proxy handle's own. */
export interface BindingQueueDeps {
  readonly mutex: Mutex;
  /** Bindings the proxy serves for this daemon, by id. */
  readonly active: Map<string, UserlandProxySpec>;
  /** Bindings found in a running proxy at open that no driver adopted yet. */
  readonly leftovers: Map<string, ProxyBindingInfo>;
  /** Binds the listening socket of `spec` (the caller's copy is closed after the exchange). */
  bind(spec: UserlandProxySpec): Promise<number>;
  /** The control connection, null while the proxy is down. */
  connection(): number | null;
  /** The error for requests made while the proxy is down. */
  unavailable(): Error;
  /** An exchange was answered. */
  answered(): void;
  /** An exchange failed in transport; called under the mutex (the connection is broken). */
  broken(error: unknown): Promise<void>;
  readonly log?: Logger;
}

/** A start or close waiting for the next batch. */
type Op =
  | { readonly kind: "start"; readonly spec: UserlandProxySpec; readonly raw: UserlandProxySpec; readonly resolve: (l: UserlandProxyListener) => void; readonly reject: (e: unknown) => void }
  | { readonly kind: "close"; readonly id: string; readonly spec: UserlandProxySpec; readonly resolve: () => void };

/** Where two bindings would collide: a bind waits for a removal of the same protocol and port. */
const portKey = (spec: UserlandProxySpec): string => `${spec.protocol}/${spec.hostPort}`;

function inUse(spec: UserlandProxySpec): Error {
  return Object.assign(new Error(`${spec.hostIp}:${spec.hostPort}/${spec.protocol} is already served by the userland proxy`), { code: "EADDRINUSE" });
}

/** True when a binding left by the previous daemon forwards where `spec` does (it is adopted as it runs). */
function sameTarget(left: ProxyBindingInfo, spec: UserlandProxySpec): boolean {
  return validateSpec({ ...left, protocol: spec.protocol, hostIp: spec.hostIp, hostPort: spec.hostPort }).containerIp === spec.containerIp && left.containerPort === spec.containerPort;
}

export function createBindingQueue(deps: BindingQueueDeps): { start(raw: UserlandProxySpec): Promise<UserlandProxyListener> } {
  const { active, leftovers } = deps;
  let queue: Op[] = [];
  let scheduled = false;

  const enqueue = (op: Op): void => {
    queue.push(op);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void deps.mutex.runExclusive(drain));
  };

  const listenerOf = (id: string, spec: UserlandProxySpec, raw: UserlandProxySpec): UserlandProxyListener => {
    let closed: Promise<void> | undefined;
    return { spec: raw, close: () => (closed ??= new Promise<void>((resolve) => enqueue({ kind: "close", id, spec, resolve }))) };
  };

  const drain = async (): Promise<void> => {
    scheduled = false;
    const ops = queue;
    queue = [];
    let batch: BatchRequest[] = [];
    const removing = new Set<string>();
    const starting = new Set<string>();

    const flush = async (): Promise<void> => {
      const sent = batch;
      batch = [];
      removing.clear();
      if (sent.length === 0) return;
      const fd = deps.connection();
      if (fd === null) {
        const error = deps.unavailable();
        for (const r of sent) r.settle({ ok: false, error });
        for (const r of sent) if (r.fd >= 0) closeFd(r.fd);
        return;
      }
      const broken = await exchange(fd, sent);
      if (broken === null) deps.answered();
      else await deps.broken(broken);
    };

    const remove = (id: string, spec: UserlandProxySpec, done?: () => void): void => {
      removing.add(portKey(spec));
      batch.push({
        text: `remove ${id}`,
        fd: -1,
        settle: (r) => {
          if (!r.ok) deps.log?.warn("userland proxy: remove failed", { id, error: String(r.error) });
          done?.();
        },
      });
    };

    const start = async (op: Extract<Op, { kind: "start" }>): Promise<void> => {
      const { spec } = op;
      const id = bindingId(spec);
      if (active.has(id) || starting.has(id)) return op.reject(inUse(spec));
      const left = leftovers.get(id);
      leftovers.delete(id);
      if (left && sameTarget(left, spec)) {
        active.set(id, spec);
        return op.resolve(listenerOf(id, spec, op.raw));
      }
      if (left) remove(id, spec);
      if (removing.has(portKey(spec))) await flush();
      let fd: number;
      try {
        fd = await deps.bind(spec);
      } catch (error) {
        return op.reject(error);
      }
      starting.add(id);
      batch.push({
        text: addRequest(spec),
        fd,
        settle: (r) => {
          starting.delete(id);
          if (!r.ok) return op.reject(r.error);
          active.set(id, spec);
          op.resolve(listenerOf(id, spec, op.raw));
        },
      });
    };

    for (const op of ops) {
      if (op.kind === "start") await start(op);
      else if (active.get(op.id) !== op.spec) op.resolve();
      else {
        active.delete(op.id);
        remove(op.id, op.spec, op.resolve);
      }
    }
    await flush();
  };

  return {
    start(raw) {
      const spec = validateSpec(raw);
      return new Promise((resolve, reject) => enqueue({ kind: "start", spec, raw, resolve, reject }));
    },
  };
}
