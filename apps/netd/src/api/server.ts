/**
 * The HTTP API on a unix socket. Every response carries Docker's `Api-Version` and `Server`
 * headers: the docker CLI reads `Api-Version` from `HEAD /_ping` to choose its path prefix.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import { Router } from "./router.js";
import { sendError } from "./respond.js";
import { addSystemRoutes } from "./system-routes.js";
import { API_VERSION, NETD_VERSION } from "../version.js";

export function createApiServer(): Server {
  const router = new Router();
  addSystemRoutes(router);
  return createServer((req, res) => {
    res.setHeader("Api-Version", API_VERSION);
    res.setHeader("Server", `netd/${NETD_VERSION} (linux)`);
    res.setHeader("Ostype", "linux");
    const url = new URL(req.url ?? "/", "http://netd");
    const found = router.match(req.method ?? "GET", url.pathname);
    if (found === null) return sendError(res, 404, `page not found: ${req.method ?? "GET"} ${url.pathname}`);
    if ("allowed" in found) {
      res.setHeader("Allow", found.allowed.join(", "));
      return sendError(res, 405, `method ${req.method ?? ""} not allowed on ${url.pathname}; use ${found.allowed.join(" or ")}`);
    }
    Promise.resolve(found.handler(req, res, found.params)).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, 500, e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });
}
