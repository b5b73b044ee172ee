/**
 * netd's own `/sandboxes` endpoints. Create is all or nothing: the sandbox and every network
 * in `Networks` are joined, or the sandbox is deleted again and the error returned.
 */
import { invalidArgument } from "@netd/driverapi";
import type { Controller } from "@netd/libnet-core";
import { z } from "zod";
import type { ApiApp, ApiDeps } from "../app-types.js";
import { labelsMatch, parseFilters } from "../filters.js";
import { checkHostAddresses } from "../host-guard/host-address.js";
import { fromDockerPorts } from "../port-bindings.js";
import { ErrorBody, FiltersQuery, IdParams } from "../schemas/common.js";
import { SandboxCreateBody, SandboxDeleteResponse, SandboxResource } from "../schemas/sandboxes.js";
import type { SandboxCreateBodyT } from "../schemas/sandboxes.js";
import { sandboxView } from "../views/sandbox-view.js";
import { dnsLabels } from "./dns.js";
import { toEndpointConfig } from "./networks.js";

const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 500: ErrorBody };

async function createWithNetworks(controller: Controller, deps: ApiDeps, b: SandboxCreateBodyT) {
  if (b.PortBindings && b.HostConfig?.PortBindings) {
    throw invalidArgument("PortBindings given both at the top level and in HostConfig", "give them once");
  }
  const ports = fromDockerPorts(b.PortBindings ?? b.HostConfig?.PortBindings, b.ExposedPorts);
  if (deps.host) await checkHostAddresses(ports.portBindings, deps.host);
  // Resolve every network first: an unknown name fails before anything is created.
  const networks = Object.entries(b.Networks ?? {}).map(([ref, cfg]) => ({ network: controller.getNetwork(ref), config: toEndpointConfig(cfg) }));
  const sb = await controller.createSandbox({
    ...(b.Name != null ? { name: b.Name } : {}),
    ...(b.Netns != null ? { netns: b.Netns } : {}),
    portBindings: ports.portBindings,
    exposedPorts: ports.exposedPorts,
    labels: { ...(b.Labels ?? {}), ...dnsLabels(b.HostConfig) },
  }, { durable: networks.length === 0 }); // With networks, the first connect's fsync makes the sandbox durable too: one fsync per call.
  const joined: string[] = [];
  try {
    for (const { network, config } of networks) {
      await controller.connect(network.id, sb.id, config);
      joined.push(network.id);
    }
  } catch (e) {
    await controller.deleteSandbox(sb.id).catch(() => undefined);
    throw e;
  }
  deps.events.emit("sandbox", "create", sb.id, { name: sb.name, netns: sb.netns });
  for (const id of joined) {
    const n = controller.getNetwork(id);
    deps.events.emit("network", "connect", n.id, { container: sb.id, name: n.name, type: n.driver });
  }
  return controller.getSandbox(sb.id);
}

/** Registers the routes. */
export function sandboxRoutes(app: ApiApp, deps: ApiDeps): void {
  const { controller, events } = deps;

  app.post("/sandboxes", { schema: { summary: "Create a sandbox", description: "A network namespace with port bindings, joined to Networks all or nothing; the host address of a binding must be the host's.", tags: ["sandboxes"], body: SandboxCreateBody, response: { 201: SandboxResource, ...errors } } }, async (req, reply) => {
    const sb = await createWithNetworks(controller, deps, req.body);
    const joined = controller.listEndpoints({ sandboxId: sb.id }).map((e) => controller.getNetwork(e.networkId).name);
    req.log.info({ sandbox: sb.name, id: sb.id.slice(0, 12), netns: sb.netns, networks: joined, ports: sb.portBindings.length }, `sandbox ${sb.name} created${joined.length > 0 ? ` on ${joined.join(", ")}` : " without networks"}`);
    return reply.code(201).send(await sandboxView(controller, sb));
  });

  app.get("/sandboxes", { schema: { summary: "List sandboxes", description: "Filters name, id, label.", tags: ["sandboxes"], querystring: FiltersQuery, response: { 200: z.array(SandboxResource), 400: ErrorBody } } }, async (req) => {
    const f = parseFilters(req.query.filters, ["name", "id", "label"]);
    const list = controller
      .listSandboxes()
      .filter((s) => (!f.has("name") || f.get("name")!.some((v) => s.name.includes(v))) && (!f.has("id") || f.get("id")!.some((v) => s.id.startsWith(v))) && labelsMatch(f.get("label"), s.labels))
      .sort((a, b) => a.created.localeCompare(b.created));
    return Promise.all(list.map((s) => sandboxView(controller, s)));
  });

  app.get("/sandboxes/:id", { schema: { summary: "Inspect a sandbox", description: "Ports in effect and Networks in Docker's NetworkSettings shape.", tags: ["sandboxes"], params: IdParams, response: { 200: SandboxResource, 404: ErrorBody } } }, (req) => sandboxView(controller, controller.getSandbox(req.params.id)));

  app.delete("/sandboxes/:id", { schema: { summary: "Remove a sandbox", description: "Leaves every network and deletes a namespace netd created; Warnings lists what failed to clean up.", tags: ["sandboxes"], params: IdParams, response: { 200: SandboxDeleteResponse, ...errors } } }, async (req) => {
    const sb = controller.getSandbox(req.params.id);
    const networks = controller.listEndpoints({ sandboxId: sb.id }).map((e) => controller.getNetwork(e.networkId));
    const failures = await controller.deleteSandbox(sb.id);
    for (const n of networks) events.emit("network", "disconnect", n.id, { container: sb.id, name: n.name, type: n.driver });
    events.emit("sandbox", "destroy", sb.id, { name: sb.name, netns: sb.netns });
    req.log.info({ sandbox: sb.name, id: sb.id.slice(0, 12), failures: failures.length }, `sandbox ${sb.name} deleted`);
    return { Warnings: failures.map((e) => (e instanceof Error ? e.message : String(e))) };
  });
}
