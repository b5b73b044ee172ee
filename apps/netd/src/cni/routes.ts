/**
 * `POST /cni/{add,del,check,gc,status}`: the daemon side of the netd-cni executable, which
 * forwards the CNI_* environment and the stdin config as `{env, config}`. Success is 200 with
 * the ADD result, or 204 with no body; failure is a 4xx/5xx whose body is the spec's error
 * object, which the executable prints before exiting 1. Not part of the Docker API.
 */
import { KeyedSerializer } from "@netd/libnet-core";
import type { ApiApp, ApiDeps } from "../api/app-types.js";
import { cniAdd } from "./add.js";
import { cniCheck } from "./check.js";
import { cniDel } from "./del.js";
import type { CniDeps } from "./deps.js";
import { cniGc } from "./gc.js";
import { CniCode, CniError, toCniError } from "./protocol.js";
import { readRequest, versionOf } from "./request.js";
import type { CniRequest, CniVerb } from "./request.js";

const VERBS: Record<string, CniVerb> = { add: "ADD", del: "DEL", check: "CHECK", gc: "GC", status: "STATUS" };

async function run(deps: CniDeps, req: CniRequest): Promise<unknown> {
  switch (req.verb) {
    case "ADD":
      return deps.containerLock.run(req.containerId, () => cniAdd(deps, req));
    case "DEL":
      return deps.containerLock.run(req.containerId, () => cniDel(deps, req));
    case "CHECK":
      return deps.containerLock.run(req.containerId, () => cniCheck(deps, req));
    case "GC":
      await cniGc(deps, req);
      return undefined;
    case "STATUS":
      if (!deps.controller.drivers().some((d) => d.name === req.conf.driver)) {
        throw new CniError(CniCode.NOT_AVAILABLE, `netd has no driver '${req.conf.driver}'`, "load the driver in netd's config file (drivers) or fix the network config");
      }
      return undefined;
  }
}

/** Registers the CNI routes; `kernel` reads container namespaces for results and CHECK. */
export function cniRoutes(app: ApiApp, deps: ApiDeps & { readonly kernel: CniDeps["kernel"] }): void {
  const cni: CniDeps = { controller: deps.controller, kernel: deps.kernel, events: deps.events, networkLock: new KeyedSerializer(), containerLock: new KeyedSerializer(), ...(deps.dns ? { dns: deps.dns } : {}) };
  app.post<{ Params: { verb: string } }>("/cni/:verb", { schema: { hide: true } }, async (request, reply) => {
    const verb = VERBS[request.params.verb];
    let version = versionOf(request.body);
    try {
      if (!verb) throw new CniError(CniCode.INVALID_ENV, `CNI_COMMAND ${JSON.stringify(request.params.verb)} is unknown`, "use ADD, DEL, CHECK, GC, STATUS or VERSION");
      const req = readRequest(verb, request.body);
      version = req.cniVersion;
      const out = await run(cni, req);
      if (out === undefined) return reply.code(204).send();
      return reply.code(200).header("Content-Type", "application/json").send(JSON.stringify(out));
    } catch (e) {
      const body = toCniError(e, version);
      const status = body.code >= CniCode.DAEMON_FAILURE && body.code < CniCode.CONFLICT ? 500 : 400;
      if (status >= 500) request.log.error({ err: e, verb }, "cni call failed");
      else request.log.info({ verb, code: body.code, msg: body.msg }, "cni call refused");
      return reply.code(status).header("Content-Type", "application/json").send(JSON.stringify(body));
    }
  });
}
