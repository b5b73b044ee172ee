/**
 * @netd/driver-bridge: Linux bridge networks, veth endpoints, netd's nftables table and port
 * publishing driven by gateway changes (reference-libnetwork.md §4, DESIGN.md §3–§4).
 *
 * Be aware:
 * - the driver needs a Kernel with nftables (libnftables) and runs inside the namespace it
 *   treats as the host (ctx.hostNetns): published-port sockets and the proxy live there;
 * - it enables net.ipv4.ip_forward / net.ipv6.conf.all.forwarding in the host namespace when
 *   a non-internal network needs them, and logs it;
 * - unknown option keys are errors, not ignored.
 */
export { createBridgeDriver } from "./driver.js";
export type { BridgeDriver, BridgeDriverOptions } from "./driver.js";
export { ENDPOINT_OPTIONS, NETWORK_OPTIONS } from "./options.js";
export { bridgeErrorCodes } from "./errors.js";
export type { BridgeNetworkConfig, BridgeEndpoint, GatewayMode, PortMapping, PortOpening, EndpointPorts } from "./model.js";
