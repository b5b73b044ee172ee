/**
 * @netd/dns: service discovery for netd networks. {@link DnsService} serves each network's
 * names on its gateway addresses and forwards other names to the host's resolvers;
 * {@link checkAlias} refuses aliases that cannot be served; {@link renderResolvConf} builds
 * the resolv.conf netd recommends to a sandbox.
 */
export { dnsErrorCodes } from "./errors.js";
export { checkAlias, isDnsName } from "./names/validate.js";
export { NameTable, addressOfReverseName } from "./names/table.js";
export type { NameEntry, NameAddresses } from "./names/table.js";
export { handleQuery, LOCAL_TTL } from "./message/answer.js";
export type { Outcome, QueryContext } from "./message/answer.js";
export { Forwarder } from "./forward/forwarder.js";
export type { ForwarderOptions } from "./forward/forwarder.js";
export { UpstreamSource, parseResolvConf, isLoopback, HOST_RESOLV_CONF, RESOLVED_RESOLV_CONF } from "./forward/upstreams.js";
export type { ResolvConf, UpstreamFiles } from "./forward/upstreams.js";
export { DnsService } from "./server/service.js";
export type { DnsNetwork, DnsNetworkSettings, DnsServiceOptions } from "./server/service.js";
export { renderResolvConf, sandboxResolvConf } from "./resolv/sandbox-resolv.js";
export type { ResolverOverrides } from "./resolv/sandbox-resolv.js";
