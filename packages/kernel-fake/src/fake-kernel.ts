import { isNftText, type Kernel, type LinkInfo, type NetnsPath } from "@netd/driverapi";
import { createAddresses } from "./addresses.js";
import { createConntrack } from "./conntrack.js";
import { fail } from "./errors.js";
import { Faults, MUTATING_METHODS, type FaultError, type FaultPredicate, type KernelMethod } from "./faults.js";
import { createLinks } from "./links.js";
import { createNamespaces, NETNS_DIR } from "./namespaces.js";
import { createNft } from "./nft.js";
import { createRoutes } from "./routes.js";
import { takeSnapshot, type FakeSnapshot } from "./snapshot.js";
import { FakeWorld, linkInfo, macFor, type FakeConntrackEntry, type SyncApi } from "./state.js";
import { createSysctl } from "./sysctl.js";
import { checkLinkName, checkMac, checkMtu, checkNetnsName, ipText, parseIp } from "./validate.js";

/** Options of {@link createFakeKernel}. */
export interface FakeKernelOptions {
  /** Path of the daemon's own namespace, seeded with `lo`; default "/proc/self/ns/net". */
  readonly hostNetns?: NetnsPath;
  /** Further namespaces that exist from the start, e.g. "/proc/4242/ns/net" made by a runtime. */
  readonly netns?: readonly NetnsPath[];
  /**
   * Link kinds this kernel lacks (e.g. ["ipvlan", "dummy"], like the CI kernel): creating one
   * fails with LINK_KIND_UNSUPPORTED (category unsupported), as Linux does with EOPNOTSUPP.
   */
  readonly missingLinkKinds?: readonly string[];
}

/** One recorded mutating call. */
export interface FakeCall {
  /** 1, 2, 3 … in call order. */
  readonly seq: number;
  readonly method: KernelMethod;
  /** A deep copy of the arguments; nft text is recorded as its string. */
  readonly args: readonly unknown[];
  /** Set when the call threw (validation, invariant or injected fault). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A link that exists without netd having made it (a NIC, a dummy). */
export interface SeedLink {
  readonly name: string;
  /** Default "" (a physical device); "dummy" etc. are fine. */
  readonly kind?: string;
  readonly up?: boolean;
  readonly mtu?: number;
  readonly mac?: string;
}

/** The in-memory Kernel plus inspection and fault injection for tests. */
export interface FakeKernel extends Kernel {
  /** The host namespace path given in the options. */
  readonly hostNetns: NetnsPath;
  /** Every mutating call so far, in order, including ones that threw. Reads are not recorded. */
  readonly calls: readonly FakeCall[];
  /** The recorded calls of one method. */
  callsTo(method: KernelMethod): FakeCall[];
  /** Forgets the recorded calls (state is kept), e.g. after a test's setup. */
  clearCalls(): void;
  /** A deep, plain, sorted copy of all namespaces; compare two with toEqual. */
  snapshot(): FakeSnapshot;
  /** The next call of `method` throws `error` (default a KERNEL_ERROR NetdError) before doing anything. */
  failNext(method: KernelMethod, error?: FaultError): void;
  /** Every call for which `predicate` returns true (or an Error) throws; returns a function that removes it. */
  failWhen(predicate: FaultPredicate): () => void;
  /** Drops all pending faults. */
  clearFaults(): void;
  /** Makes an empty namespace (with lo) exist at `path`, as a container runtime would. Not recorded. */
  seedNetns(path: NetnsPath): void;
  /**
   * Leaves /run/netns/NAME as a plain file that is not a namespace, as a namespace create or
   * delete interrupted by kill -9 between its mount and its file steps does: `netns.list`
   * lists it, `exists` and `identity` do not see a namespace, `delete` removes it. Not recorded.
   */
  seedStaleNetnsFile(name: string): void;
  /** Makes a link exist that netd did not create (e.g. the host's eth0). Not recorded. */
  seedLink(netns: NetnsPath, link: SeedLink): LinkInfo;
  /** Adds a conntrack entry that `conntrack.delete` can match. Not recorded. */
  seedConntrack(netns: NetnsPath, entry: FakeConntrackEntry): void;
  /** True after close(). */
  readonly closed: boolean;
}

/**
 * Creates an in-memory Kernel that enforces the kernel's invariants (see README in this folder
 * and the tests) and records every mutating call. Each call completes in one tick, so the
 * order of `calls` is the order in which the calls were made.
 */
export function createFakeKernel(options: FakeKernelOptions = {}): FakeKernel {
  const hostNetns = options.hostNetns ?? "/proc/self/ns/net";
  const world = new FakeWorld();
  world.addNamespace(hostNetns);
  for (const path of options.netns ?? []) if (!world.namespaces.has(path)) world.addNamespace(path);
  const faults = new Faults();
  let calls: FakeCall[] = [];
  let seq = 0;
  let closed = false;

  const wrap = (method: KernelMethod, fn: (...args: unknown[]) => unknown) => {
    return (...args: unknown[]): Promise<unknown> => {
      const recorded = MUTATING_METHODS.has(method) ? { seq: ++seq, method, args: args.map(copyArg) } : null;
      try {
        if (closed && method !== "close") throw fail("KERNEL_CLOSED", `${method} called after close()`, "create a new Kernel");
        const injected = faults.check(method, args);
        if (injected) throw injected;
        const result = fn(...args);
        if (recorded) calls.push(recorded);
        return Promise.resolve(result);
      } catch (err) {
        if (recorded) calls.push({ ...recorded, error: describeError(err) });
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
  };
  const group = <T>(name: string, api: SyncApi<T>): T => {
    const out: Record<string, unknown> = {};
    for (const [key, fn] of Object.entries(api as Record<string, (...args: unknown[]) => unknown>)) {
      out[key] = wrap(`${name}.${key}` as KernelMethod, fn);
    }
    return out as T;
  };

  const kernel: FakeKernel = {
    hostNetns,
    netns: group("netns", createNamespaces(world, hostNetns)),
    links: group("links", createLinks(world, options.missingLinkKinds)),
    addresses: group("addresses", createAddresses(world)),
    routes: group("routes", createRoutes(world)),
    sysctl: group("sysctl", createSysctl(world)),
    nft: group("nft", createNft(world)),
    conntrack: group("conntrack", createConntrack(world)),
    close: wrap("close", () => {
      closed = true;
    }) as () => Promise<void>,
    get calls() {
      return calls;
    },
    get closed() {
      return closed;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    clearCalls: () => {
      calls = [];
    },
    snapshot: () => takeSnapshot(world),
    failNext: (method, error) => faults.failNext(method, error),
    failWhen: (predicate) => faults.failWhen(predicate),
    clearFaults: () => faults.clear(),
    seedNetns: (path) => {
      if (typeof path !== "string" || !path.startsWith("/")) throw fail("INVALID_NETNS", `seedNetns needs an absolute path, got ${JSON.stringify(path)}`);
      if (world.namespaces.has(path)) throw fail("NETNS_EXISTS", `network namespace ${path} already exists`);
      world.addNamespace(path);
    },
    seedStaleNetnsFile: (name) => {
      if (world.namespaces.has(`${NETNS_DIR}/${checkNetnsName(name)}`)) throw fail("NETNS_EXISTS", `network namespace ${NETNS_DIR}/${name} already exists`);
      world.staleNetnsFiles.add(name);
    },
    seedLink: (netns, spec) => {
      const ns = world.ns(netns);
      const name = checkLinkName(spec.name);
      if (ns.links.has(name)) throw fail("LINK_EXISTS", `link '${name}' already exists in ${ns.path}`);
      const index = world.allocIndex();
      const link = {
        index,
        name,
        kind: spec.kind ?? "",
        up: spec.up ?? true,
        mtu: spec.mtu === undefined ? 1500 : checkMtu(spec.mtu),
        mac: spec.mac === undefined ? macFor(index) : checkMac(spec.mac),
        master: null,
        parentIndex: null,
        parentNetns: null,
        hairpin: false,
        mode: null,
        flag: null,
        vlanId: null,
      };
      ns.links.set(name, link);
      return linkInfo(link);
    },
    seedConntrack: (netns, entry) => {
      const canon = (value: string): string => {
        const ip = parseIp(value);
        if (!ip) throw fail("INVALID_ADDRESS", `conntrack address ${JSON.stringify(value)} is invalid`);
        return ipText(ip);
      };
      world.ns(netns).conntrack.push({ ...entry, origSrc: canon(entry.origSrc), origDst: canon(entry.origDst), replySrc: canon(entry.replySrc) });
    },
  };
  const _check: Kernel = kernel;
  return kernel;
}

function copyArg(value: unknown): unknown {
  if (isNftText(value)) return value.text;
  if (Array.isArray(value)) return value.map(copyArg);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyArg(v)]));
  }
  return value;
}

function describeError(err: unknown): { code: string; message: string } {
  const code = typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string" ? (err as { code: string }).code : "UNKNOWN";
  return { code, message: err instanceof Error ? err.message : String(err) };
}
