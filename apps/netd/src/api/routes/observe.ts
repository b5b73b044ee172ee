/**
 * `GET /events` (newline-delimited JSON, Docker's event shape; `since`/`until` in Unix
 * seconds, `filters` type and event) and `GET /metrics` (Prometheus text).
 */
import { invalidArgument } from "@netd/driverapi";
import { z } from "zod";
import type { ServerResponse } from "node:http";
import type { ApiApp, ApiDeps } from "../app-types.js";
import type { NetdEvent } from "../events.js";
import { parseFilters } from "../filters.js";

const EventsQuery = z.object({ since: z.string().optional(), until: z.string().optional(), filters: z.string().optional() });

function seconds(what: string, v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v) / 1000;
  if (Number.isNaN(n)) throw invalidArgument(`invalid ${what} '${v}'`, "use Unix seconds or an RFC 3339 date");
  return n;
}

/** Registers the routes. */
export function observeRoutes(app: ApiApp, { controller, events, metrics, extraGauges }: ApiDeps): void {
  // Event streams never end on their own: end them when the daemon stops, or close() waits.
  const streams = new Set<ServerResponse>();
  app.addHook("preClose", (done) => {
    for (const res of streams) res.end();
    done();
  });
  app.get("/events", { schema: { summary: "Stream events", description: "Docker's event shape as NDJSON: network create/destroy/connect/disconnect, sandbox create/destroy.", tags: ["system"], querystring: EventsQuery } }, (req, reply) => {
    const since = seconds("since", req.query.since);
    const until = seconds("until", req.query.until);
    const f = parseFilters(req.query.filters, ["type", "event", "network", "container"]);
    const match = (e: NetdEvent) =>
      (!f.has("type") || f.get("type")!.includes(e.Type)) &&
      (!f.has("event") || f.get("event")!.includes(e.Action)) &&
      (!f.has("network") || e.Type !== "network" || f.get("network")!.some((v) => e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v)) &&
      (!f.has("container") || f.get("container")!.some((v) => e.Actor.Attributes.container?.startsWith(v) || (e.Type === "sandbox" && (e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v))));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "Content-Type": "application/json", "Api-Version": reply.getHeader("Api-Version") as string });
    res.flushHeaders();
    const write = (e: NetdEvent) => {
      if (match(e) && (until === undefined || e.time <= until)) res.write(`${JSON.stringify(e)}\n`);
    };
    if (since !== undefined) for (const e of events.since(Math.floor(since))) write(e);
    if (until !== undefined && until <= Date.now() / 1000) {
      res.end();
      return;
    }
    streams.add(res);
    const unsubscribe = events.subscribe(write);
    const timer = until === undefined ? null : setTimeout(() => res.end(), until * 1000 - Date.now());
    res.on("close", () => {
      streams.delete(res);
      unsubscribe();
      if (timer) clearTimeout(timer);
    });
  });

  app.get("/metrics", { schema: { summary: "Prometheus metrics", description: "Request counts and durations per operation, networks, sandboxes, endpoints and published ports.", tags: ["system"] } }, async (_req, reply) => {
    const published = new Map<string, number>();
    for (const ep of controller.listEndpoints()) {
      if (ep.sandboxId === null) continue;
      try {
        const info = await controller.endpointInfo(ep.id);
        const net = controller.getNetwork(ep.networkId);
        published.set(net.driver, (published.get(net.driver) ?? 0) + info.portBindings.length);
      } catch {
        // Changed during the scrape; counted next time.
      }
    }
    const byDriver = (items: Array<{ driver: string }>) => {
      const m = new Map<string, number>();
      for (const i of items) m.set(i.driver, (m.get(i.driver) ?? 0) + 1);
      return [...m].map(([driver, value]) => ({ labels: { driver }, value }));
    };
    const text = metrics.render([
      { name: "netd_networks", help: "Networks by driver.", values: byDriver(controller.listNetworks()) },
      { name: "netd_sandboxes", help: "Sandboxes.", values: [{ value: controller.listSandboxes().length }] },
      { name: "netd_endpoints", help: "Endpoints (joined or not).", values: [{ value: controller.listEndpoints().length }] },
      { name: "netd_published_ports", help: "Port bindings in effect by driver (one per host address and port).", values: [...published].map(([driver, value]) => ({ labels: { driver }, value })) },
      ...(extraGauges ? await extraGauges() : []),
    ]);
    return reply.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8").send(text);
  });
}
