import { NetdError } from "@netd/driverapi";

/** Every Kernel method by its dotted name, as used by `calls`, `failNext` and `failWhen`. */
export const KERNEL_METHODS = [
  "netns.create",
  "netns.delete",
  "netns.exists",
  "netns.list",
  "netns.identity",
  "netns.release",
  "links.addBridge",
  "links.addVeth",
  "links.addChild",
  "links.addDummy",
  "links.set",
  "links.delete",
  "links.get",
  "links.list",
  "addresses.add",
  "addresses.delete",
  "addresses.list",
  "routes.add",
  "routes.delete",
  "routes.list",
  "sysctl.get",
  "sysctl.set",
  "nft.replaceTable",
  "nft.deleteTable",
  "nft.updateElements",
  "nft.listTable",
  "nft.generation",
  "nft.foreignChanges",
  "conntrack.delete",
  "close",
] as const;

/** A Kernel method name such as "links.addVeth". */
export type KernelMethod = (typeof KERNEL_METHODS)[number];

/** The methods that change state; only these are recorded in `calls`. */
export const MUTATING_METHODS: ReadonlySet<KernelMethod> = new Set<KernelMethod>(
  KERNEL_METHODS.filter((m) => !/\.(get|list|exists|identity|listTable|generation|foreignChanges)$/.test(m) && m !== "sysctl.get"),
);

/** One call as seen by fault injection. */
export interface FaultCall {
  readonly method: KernelMethod;
  readonly args: readonly unknown[];
}

/** What an injected fault throws: an error, or a function of the call's arguments that builds one. */
export type FaultError = Error | ((args: readonly unknown[]) => Error);

/** Decides whether a call fails: true throws the default error, an Error throws that, false/undefined lets it run. */
export type FaultPredicate = (call: FaultCall) => boolean | Error | undefined;

/** The error an injected fault throws when none was given: a kernel refusal, like EIO from netlink. */
export function injectedError(method: KernelMethod): NetdError {
  return new NetdError({
    code: "KERNEL_ERROR",
    category: "kernel",
    message: `injected fault in ${method}`,
    details: { op: method, injected: true },
  });
}

/** Queued one-shot faults per method and standing predicates. Checked before a call does anything. */
export class Faults {
  private readonly queued = new Map<KernelMethod, FaultError[]>();
  private readonly rules = new Set<FaultPredicate>();

  /** The next call to `method` throws `error` (default: {@link injectedError}); several queue up in order. */
  failNext(method: KernelMethod, error?: FaultError): void {
    if (!(KERNEL_METHODS as readonly string[]).includes(method)) {
      throw new TypeError(`failNext: unknown Kernel method ${JSON.stringify(method)}; use one of ${KERNEL_METHODS.join(", ")}`);
    }
    const list = this.queued.get(method) ?? [];
    list.push(error ?? injectedError(method));
    this.queued.set(method, list);
  }

  /** Every call for which `predicate` says so throws, until the returned function is called. */
  failWhen(predicate: FaultPredicate): () => void {
    this.rules.add(predicate);
    return () => {
      this.rules.delete(predicate);
    };
  }

  /** Drops every queued fault and predicate. */
  clear(): void {
    this.queued.clear();
    this.rules.clear();
  }

  /** The error this call must throw, or null. Consumes a queued fault. */
  check(method: KernelMethod, args: readonly unknown[]): Error | null {
    const next = this.queued.get(method)?.shift();
    if (next) return typeof next === "function" ? next(args) : next;
    for (const rule of this.rules) {
      const verdict = rule({ method, args });
      if (verdict instanceof Error) return verdict;
      if (verdict === true) return injectedError(method);
    }
    return null;
  }
}
