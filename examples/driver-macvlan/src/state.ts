/** What the driver keeps in ctx.state: per endpoint its interface, per sandbox the routes it applied. */

/** Written by join (committed with it), removed by leave. */
export interface EndpointState {
  readonly ifname: string;
  readonly gateway4: string | null;
  readonly gateway6: string | null;
}

/** The default routes this driver installed for an endpoint: the next hop per family, or null. */
export interface AppliedGateway {
  readonly v4: string | null;
  readonly v6: string | null;
}

export const endpointKey = (endpointId: string): string => `ep/${endpointId}`;
export const gatewayKey = (sandboxId: string, endpointId: string): string => `gw/${sandboxId}/${endpointId}`;
