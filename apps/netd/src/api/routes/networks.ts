/**
 * Docker's `/networks` endpoints: create, list (filters name, id, driver, label, type,
 * dangling), inspect, remove, connect, disconnect, prune. Status codes as Docker's: 201
 * create, 204 remove, 200 otherwise; errors through error-to-http.ts.
 */
import { invalidArgument } from "@netd/driverapi";
import { checkAlias } from "@netd/dns";
import type { CreateNetworkRequest, EndpointConfig as CoreEndpointConfig, IpamFamilyRequest } from "@netd/libnet-core";
import { z } from "zod";
import type { ApiApp, ApiDeps } from "../app-types.js";
import { labelsMatch, parseFilters } from "../filters.js";
import { ErrorBody, FiltersQuery, IdParams } from "../schemas/common.js";
import type { EndpointConfigBody } from "../schemas/common.js";
import { NetworkConnectBody, NetworkCreateBody, NetworkCreateResponse, NetworkDisconnectBody, NetworkPruneResponse, NetworkResource } from "../schemas/networks.js";
import type { NetworkCreateBodyT } from "../schemas/networks.js";
import { isDefaultNetwork, predefinedNetworkError } from "../../daemon/default-network.js";
import { checkHostRoutes, checkReserved } from "../host-guard/subnet-guard.js";
import { untilCutoff } from "../until.js";
import { networkView } from "../views/network-view.js";

const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 500: ErrorBody };

/** Docker's request to libnet-core's; rejects what netd cannot honour, naming the field. */
export function toCreateRequest(b: NetworkCreateBodyT): CreateNetworkRequest {
  for (const f of ["Attachable", "Ingress", "ConfigOnly"] as const) {
    if (b[f] === true) throw invalidArgument(`${f} networks are not supported by netd (swarm only)`, `drop ${f} or set it to false`);
  }
  const scope = (b as { Scope?: unknown }).Scope;
  if (scope != null && scope !== "" && scope !== "local") throw invalidArgument(`scope ${JSON.stringify(scope)} is not supported`, 'use "local" or leave it empty');
  const ipamDriver = b.IPAM?.Driver;
  if (ipamDriver && ipamDriver !== "default") throw invalidArgument(`IPAM driver '${ipamDriver}' is not supported`, 'use "default" or leave it empty');
  const ipam: { ipv4?: IpamFamilyRequest; ipv6?: IpamFamilyRequest } = {};
  for (const c of b.IPAM?.Config ?? []) {
    const probe = c.Subnet || c.Gateway || c.IPRange;
    if (!probe) throw invalidArgument("an IPAM config entry has no Subnet", "give a Subnet such as 10.1.0.0/24");
    const fam = probe.includes(":") ? "ipv6" : "ipv4";
    if (ipam[fam]) throw invalidArgument(`more than one ${fam === "ipv4" ? "IPv4" : "IPv6"} subnet (${ipam[fam].subnet ?? "?"} and ${probe})`, "netd networks have at most one subnet per family");
    ipam[fam] = {
      ...(c.Subnet ? { subnet: c.Subnet } : {}),
      ...(c.IPRange ? { ipRange: c.IPRange } : {}),
      ...(c.Gateway ? { gateway: c.Gateway } : {}),
      ...(c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length > 0 ? { auxAddresses: c.AuxiliaryAddresses } : {}),
    };
  }
  return {
    name: b.Name,
    driver: b.Driver || "bridge",
    internal: b.Internal ?? false,
    enableIPv4: b.EnableIPv4 ?? true,
    enableIPv6: b.EnableIPv6 ?? false,
    ipam,
    options: b.Options ?? {},
    labels: b.Labels ?? {},
  };
}

/** Docker's EndpointConfig to libnet-core's; empty strings and zero mean "not set". */
export function toEndpointConfig(c: EndpointConfigBody | null | undefined): CoreEndpointConfig {
  if (!c) return {};
  // Aliases are names served by the network's DNS: one that cannot be served is refused before anything changes.
  for (const a of c.Aliases ?? []) checkAlias(a);
  return {
    ...(c.IPAMConfig?.IPv4Address ? { ipv4Address: c.IPAMConfig.IPv4Address } : {}),
    ...(c.IPAMConfig?.IPv6Address ? { ipv6Address: c.IPAMConfig.IPv6Address } : {}),
    ...(c.MacAddress ? { macAddress: c.MacAddress } : {}),
    ...(c.Aliases && c.Aliases.length > 0 ? { aliases: c.Aliases } : {}),
    ...(c.GwPriority ? { gwPriority: c.GwPriority } : {}),
    ...(c.DriverOpts && Object.keys(c.DriverOpts).length > 0 ? { driverOpts: c.DriverOpts } : {}),
  };
}

/** Registers the routes. */
export function networkRoutes(app: ApiApp, { controller, events, host }: ApiDeps): void {
  app.post("/networks/create", { schema: { summary: "Create a network", description: "Docker's NetworkCreate body; null fields mean absent. Subnets in reserved ranges or on a host link are refused; an automatic subnet skips the host's routes.", tags: ["networks"], body: NetworkCreateBody, response: { 201: NetworkCreateResponse, ...errors } } }, async (req, reply) => {
    const request = toCreateRequest(req.body);
    const subnets = [request.ipam?.ipv4?.subnet, request.ipam?.ipv6?.subnet].filter((s): s is string => s !== undefined);
    subnets.forEach(checkReserved);
    const own = controller.listNetworks().flatMap((o) => [o.ipv4?.subnet, o.ipv6?.subnet].filter((s): s is string => s !== undefined));
    // One read of the host's routes serves both checks.
    const routes = host ? await host.routes() : [];
    const warnings = host ? await checkHostRoutes(subnets, own, { ...host, routes: () => Promise.resolve(routes) }) : [];
    // Like dockerd, an automatic subnet skips every prefix the host routes, not only other networks'.
    const n = await controller.createNetwork(host ? { ...request, avoidSubnets: routes.map((r) => r.to) } : request);
    events.emit("network", "create", n.id, { name: n.name, type: n.driver });
    req.log.info({ network: n.name, id: n.id.slice(0, 12), driver: n.driver, subnets: [n.ipv4?.subnet, n.ipv6?.subnet].filter(Boolean) }, `network ${n.name} created`);
    for (const w of warnings) req.log.warn({ network: n.name }, w);
    return reply.code(201).send({ Id: n.id, Warning: warnings.join("; ") });
  });

  app.get("/networks", { schema: { summary: "List networks", description: "NetworkResources without Containers; filters name, id, driver, label, type (builtin|custom), dangling, scope.", tags: ["networks"], querystring: FiltersQuery, response: { 200: z.array(NetworkResource), 400: ErrorBody } } }, (req) => {
    const f = parseFilters(req.query.filters, ["name", "id", "driver", "label", "type", "dangling", "scope"]);
    const used = new Set(controller.listEndpoints().map((e) => e.networkId));
    const list = controller.listNetworks().filter((n) => {
      const any = (field: string, test: (v: string) => boolean) => !f.has(field) || f.get(field)!.some(test);
      return (
        any("name", (v) => n.name.includes(v)) &&
        any("id", (v) => n.id.startsWith(v)) &&
        any("driver", (v) => n.driver === v) &&
        any("type", (v) => v === (isDefaultNetwork(n) ? "builtin" : "custom")) &&
        any("scope", (v) => v === "local") &&
        any("dangling", (v) => (v === "true" || v === "1") === !used.has(n.id)) &&
        labelsMatch(f.get("label"), n.labels)
      );
    });
    list.sort((a, b) => a.created.localeCompare(b.created));
    return Promise.resolve(list.map((n) => networkView(controller, n, false)));
  });

  app.get("/networks/:id", { schema: { summary: "Inspect a network", description: "By id, unique id prefix or name; includes Containers (the sandboxes joined).", tags: ["networks"], params: IdParams, response: { 200: NetworkResource, 404: ErrorBody } } }, (req) =>
    Promise.resolve(networkView(controller, controller.getNetwork(req.params.id), true)),
  );

  app.delete("/networks/:id", { schema: { summary: "Remove a network", description: "204; 403 while sandboxes are connected or for the default network bridge.", tags: ["networks"], params: IdParams, response: { 204: z.undefined(), ...errors } } }, async (req, reply) => {
    const n = controller.getNetwork(req.params.id);
    if (isDefaultNetwork(n)) throw predefinedNetworkError(n.name);
    await controller.deleteNetwork(n.id);
    events.emit("network", "destroy", n.id, { name: n.name, type: n.driver });
    req.log.info({ network: n.name, id: n.id.slice(0, 12) }, `network ${n.name} removed`);
    return reply.code(204).send();
  });

  app.post("/networks/:id/connect", { schema: { summary: "Connect a sandbox to a network", description: "Container is a sandbox id, prefix or name; EndpointConfig empty strings and zero values mean unset.", tags: ["networks"], params: IdParams, body: NetworkConnectBody, response: { 200: z.undefined(), ...errors } } }, async (req, reply) => {
    const n = controller.getNetwork(req.params.id);
    const sb = controller.getSandbox(req.body.Container);
    await controller.connect(n.id, sb.id, toEndpointConfig(req.body.EndpointConfig));
    events.emit("network", "connect", n.id, { container: sb.id, name: n.name, type: n.driver });
    req.log.info({ network: n.name, sandbox: sb.name }, `sandbox ${sb.name} connected to ${n.name}`);
    return reply.code(200).send();
  });

  app.post("/networks/:id/disconnect", { schema: { summary: "Disconnect a sandbox from a network", description: "Leaves the network; the sandbox's gateway moves to its next network if this one carried it.", tags: ["networks"], params: IdParams, body: NetworkDisconnectBody, response: { 200: z.undefined(), ...errors } } }, async (req, reply) => {
    const n = controller.getNetwork(req.params.id);
    const sb = controller.getSandbox(req.body.Container);
    const res = await controller.disconnect(n.id, sb.id);
    if (res.errors.length > 0) req.log.warn({ network: n.name, sandbox: sb.name, errors: res.errors.map(String) }, "disconnect finished with errors");
    events.emit("network", "disconnect", n.id, { container: sb.id, name: n.name, type: n.driver });
    req.log.info({ network: n.name, sandbox: sb.name }, `sandbox ${sb.name} disconnected from ${n.name}`);
    return reply.code(200).send();
  });

  app.post("/networks/prune", { schema: { summary: "Remove unused networks", description: "Networks without endpoints, except bridge; filters label, label!, until (Go duration, Unix or RFC 3339 time).", tags: ["networks"], querystring: FiltersQuery, response: { 200: NetworkPruneResponse, ...errors } } }, async (req) => {
    const f = parseFilters(req.query.filters, ["label", "label!", "until"]);
    const until = f.get("until")?.[0];
    const cutoff = until === undefined ? Infinity : untilCutoff(until);
    const used = new Set(controller.listEndpoints().map((e) => e.networkId));
    const deleted: string[] = [];
    for (const n of controller.listNetworks()) {
      if (isDefaultNetwork(n) || used.has(n.id) || Date.parse(n.created) >= cutoff || !labelsMatch(f.get("label"), n.labels)) continue;
      if ((f.get("label!") ?? []).some((l) => labelsMatch([l], n.labels))) continue;
      try {
        await controller.deleteNetwork(n.id);
      } catch (e) {
        // Another request connected a sandbox meanwhile: Docker's prune skips such networks too.
        req.log.info({ network: n.name, error: String(e) }, "prune skipped a network");
        continue;
      }
      deleted.push(n.name);
      events.emit("network", "destroy", n.id, { name: n.name, type: n.driver });
    }
    return { NetworksDeleted: deleted };
  });
}
