/**
 * IPAM: subnets, gateways, aux addresses and endpoint addresses for every network of one
 * controller. The entry point is {@link Ipam}; see its doc comment for the call order.
 */
export { Ipam } from "./ipam.js";
export { ipamErrorCodes, type IpamErrorCode } from "./errors.js";
export { DOCKER_DEFAULT_POOLS4 } from "./pools.js";
export type {
  IpamFamilyAllocation,
  IpamFamilyRequest,
  IpamFamilyUsage,
  IpamNetworkAllocation,
  IpamNetworkRequest,
  IpamOptions,
  IpamPool,
  IpamStoredAllocation,
  IpamUsage,
} from "./types.js";
