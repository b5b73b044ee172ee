/** Options and results of the conformance suite. */
import type { Driver, DriverContext, Kernel, NetnsPath } from "@netd/driverapi";

/** One violation of the contract, phrased for the driver's author. */
export interface Finding {
  /** The check that found it, e.g. "rollback" or "gateway-change". */
  readonly check: string;
  /** What happened, what the contract says, and what to change. */
  readonly message: string;
}

/**
 * Where one check runs: a Kernel and the namespace the driver treats as the host. The suite
 * makes a new world for every scenario (so faults and leftovers never leak between them) and
 * disposes it afterwards.
 */
export interface ConformanceWorld {
  readonly kernel: Kernel;
  readonly hostNetns: NetnsPath;
  /** Called once the scenario ended, also after a failure. */
  dispose(): Promise<void>;
}

/** What {@link checkDriver} and `describeDriverConformance` take. */
export interface ConformanceOptions {
  /** Label in test names and messages, e.g. "macvlan". */
  readonly name: string;
  /** A fresh driver; called once per scenario (each scenario is one "daemon lifetime"). */
  readonly makeDriver: () => Driver | Promise<Driver>;
  /**
   * Driver options of the networks the suite creates; a function gets the network's index
   * (0, 1, …) so names derived from options can differ. Absent: `{}`.
   */
  readonly networkOptions?: Readonly<Record<string, string>> | ((index: number) => Readonly<Record<string, string>>);
  /** Create networks with `internal: true`. Default false. */
  readonly internal?: boolean;
  /**
   * Runs in every new world before the driver's `restore` and before the first snapshot:
   * make what the driver expects to exist (a parent link for macvlan/ipvlan). Use only the
   * Kernel API so the same code serves the fake and a real kernel.
   */
  readonly prepare?: (kernel: Kernel, hostNetns: NetnsPath) => Promise<void>;
  /**
   * Extra context members the driver needs, e.g. `ports` for a driver that declares
   * `publishesPorts`. Called once per world: the same objects are passed on every hook call.
   */
  readonly context?: () => Partial<Pick<DriverContext, "ports" | "portReserver">>;
  /**
   * Makes a world. Default: a new `@netd/kernel-fake` kernel. The integration mode passes
   * one that returns a real kernel and a fresh namespace created by the test.
   */
  readonly makeWorld?: () => Promise<ConformanceWorld>;
  /**
   * Prefix of the sandbox namespaces the suite creates with `kernel.netns.create` (and
   * deletes). Default "cf". With a real kernel use the test environment's prefix so its
   * leftover check covers them.
   */
  readonly netnsPrefix?: string | (() => string);
  /** Second octet of the IPv4 subnets (10.X.i.0/24) and the IPv6 ones (fd00:X:i::/64). Default 199. */
  readonly subnetOctet?: number;
  /** Checks to run; default all of {@link CHECK_NAMES}. */
  readonly only?: readonly CheckName[];
}

/** The checks, in the order they run. */
export const CHECK_NAMES = ["contract", "create-delete", "join-leave", "gateway-change", "rollback", "crash-recovery", "teardown"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
