/**
 * What the driver keeps in memory about joined endpoints: where their interface is, the
 * default route each family would get while the endpoint is the selected gateway, and which
 * of those routes are installed now. Rebuilt from the kernel by `restore`.
 */
import type { IpFamily, NetnsPath, RouteSpec } from "@netd/driverapi";

/** One joined endpoint. */
export interface JoinedEndpoint {
  readonly netns: NetnsPath;
  readonly ifname: string;
  /** The route per family while this endpoint is the gateway; null: none (internal, L2 without a gateway). */
  readonly wanted: { readonly 4: RouteSpec | null; readonly 6: RouteSpec | null };
  /** Families whose route is installed now. */
  readonly applied: Set<IpFamily>;
}

/** Joined endpoints by endpoint id. Per sandbox core serialises calls, so one map suffices. */
export type EndpointTable = Map<string, JoinedEndpoint>;
