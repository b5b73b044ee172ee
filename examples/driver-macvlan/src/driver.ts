/**
 * The macvlan Driver: a plain object built only on @netd/driverapi, as a third-party driver
 * would be. Networks own no kernel object (except an internal network's own parent); each
 * endpoint is one macvlan link created inside its sandbox at join.
 */
import { API_VERSION, type CreateEndpointResult, type Driver } from "@netd/driverapi";
import { join, leave } from "./endpoint.js";
import { onGatewayChange } from "./gateway.js";
import { createNetwork, deleteNetwork } from "./network.js";
import { endpointMac, parseEndpoint, parseNetwork } from "./options.js";

/** Options of {@link createMacvlanDriver} (also the `options` of a config-file entry). */
export interface MacvlanDriverOptions {
  /** The driver name users pass as `-d`; default "macvlan". */
  readonly name?: string;
}

export function createMacvlanDriver(options: Readonly<MacvlanDriverOptions> = {}): Driver {
  return {
    name: options.name ?? "macvlan",
    apiVersion: API_VERSION,
    capabilities: { scope: "local", needsGatewayAddress: false, publishesPorts: false, supportsIPv4: true, supportsIPv6: true },
    createNetwork,
    deleteNetwork,
    // Validates endpoint options early and fixes the MAC, so core stores it.
    createEndpoint(_ctx, network, endpoint): Promise<CreateEndpointResult> {
      const net = parseNetwork(network);
      parseEndpoint(endpoint);
      return Promise.resolve(net.mode === "passthru" ? {} : { mac: endpointMac(endpoint) });
    },
    join,
    leave,
    onGatewayChange,
  };
}
