/**
 * The ADD result in the config's version (spec "Success"): the interface inside the sandbox,
 * its addresses with gateways, the default routes the endpoint provides as the sandbox's
 * gateway, the network's DNS servers (netd's service discovery), merged after a previous
 * plugin's result when chained. 0.3.x and 0.4.0 results
 * carry `version` on each IP; 1.0.0 and 1.1.0 do not.
 */
import type { Controller, EndpointRecord, NetworkRecord, SandboxRecord } from "@netd/libnet-core";
import { compareVersions } from "./protocol.js";

interface ResultIp {
  address: string;
  gateway?: string;
  interface: number;
  version?: string;
}

/** A CNI result object (the fields netd-cni fills). */
export interface CniResult {
  cniVersion: string;
  interfaces: Array<{ name: string; mac?: string; sandbox?: string }>;
  ips: ResultIp[];
  routes: Array<{ dst: string; gw?: string }>;
  dns: Record<string, unknown>;
}

/** Builds the result for the endpoint `ep` of `sandbox` on `network`. */
export function buildResult(args: {
  readonly controller: Controller;
  readonly cniVersion: string;
  readonly network: NetworkRecord;
  readonly endpoint: EndpointRecord;
  readonly sandbox: SandboxRecord;
  readonly netns: string;
  readonly mac: string | undefined;
  readonly prevResult: Record<string, unknown> | undefined;
  /** DNS servers of the network (netd's service discovery); empty: the result names none. */
  readonly nameservers?: readonly string[];
}): CniResult {
  const { endpoint: ep, network, cniVersion } = args;
  const prev = args.prevResult;
  const interfaces = Array.isArray(prev?.interfaces) ? [...(prev.interfaces as CniResult["interfaces"])] : [];
  const ips = Array.isArray(prev?.ips) ? [...(prev.ips as ResultIp[])] : [];
  const routes = Array.isArray(prev?.routes) ? [...(prev.routes as CniResult["routes"])] : [];
  const prevDns = typeof prev?.dns === "object" && prev.dns !== null ? (prev.dns as Record<string, unknown>) : {};
  const prevServers = Array.isArray(prevDns.nameservers) ? (prevDns.nameservers as string[]) : [];
  const ours = (args.nameservers ?? []).filter((s) => !prevServers.includes(s));
  const dns = ours.length > 0 ? { ...prevDns, nameservers: [...prevServers, ...ours] } : prevDns;
  const index = interfaces.length;
  const name = ep.join?.interfaceName ?? "";
  interfaces.push({ name, ...(args.mac ? { mac: args.mac } : {}), sandbox: args.netns });
  const legacy = compareVersions(cniVersion, "1.0.0") < 0;
  const sb = args.controller.getSandbox(args.sandbox.id);
  const gw4 = ep.join?.gateway4 ?? network.ipv4?.gateway ?? null;
  const gw6 = ep.join?.gateway6 ?? network.ipv6?.gateway ?? null;
  if (ep.ipv4) ips.push({ ...(legacy ? { version: "4" } : {}), address: ep.ipv4, ...(gw4 ? { gateway: gw4 } : {}), interface: index });
  if (ep.ipv6) ips.push({ ...(legacy ? { version: "6" } : {}), address: ep.ipv6, ...(gw6 ? { gateway: gw6 } : {}), interface: index });
  // Only the endpoint that gateway selection chose carries the sandbox's default route.
  if (sb.gateways.gw4 === ep.id && ep.join?.gateway4) routes.push({ dst: "0.0.0.0/0", gw: ep.join.gateway4 });
  if (sb.gateways.gw6 === ep.id && ep.join?.gateway6) routes.push({ dst: "::/0", gw: ep.join.gateway6 });
  return { cniVersion, interfaces, ips, routes, dns };
}
