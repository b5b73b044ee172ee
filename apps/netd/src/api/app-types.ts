/** Types shared by the server and its route modules. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { ResolverOverrides } from "@netd/dns";
import type { Kernel } from "@netd/driverapi";
import type { Controller } from "@netd/libnet-core";
import type { EventBus } from "./events.js";
import type { Metrics } from "./metrics.js";
import type { DriverDescription } from "../daemon/driver-loader/types.js";
import type { HostView } from "./host-guard/host-view.js";

/** The fastify instance with zod schemas as its type provider. */
export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** What the routes need from the daemon. */
export interface ApiDeps {
  readonly controller: Controller;
  readonly events: EventBus;
  readonly metrics: Metrics;
  /** The DNS service's view (absent in API unit tests without one): the resolv.conf netd recommends. */
  readonly dns?: {
    resolvConf(sandboxId: string, overrides?: ResolverOverrides): string;
    /** The addresses `networkId`'s DNS server listens on; empty when netd serves no DNS there. */
    servers(networkId: string): readonly string[];
    /** Settles when the DNS servers match the last change (new networks' listeners bound). */
    settled(): Promise<void>;
  };
  /** Extra gauges read at each /metrics scrape (the userland proxy's); absent: none. */
  readonly extraGauges?: () => Promise<ReadonlyArray<{ name: string; help: string; values: ReadonlyArray<{ labels?: Record<string, string>; value: number }> }>>;
  /** Registered drivers with their versions for `/info`; absent: names from the controller. */
  readonly drivers?: readonly DriverDescription[];
  /** The host namespace's routes and addresses for input checks; absent: those checks are skipped (unit tests on a fake kernel). */
  readonly host?: HostView;
  /** The daemon's kernel; when given, the CNI routes (`/cni/*`, for netd-cni) are served. */
  readonly kernel?: Kernel;
}
