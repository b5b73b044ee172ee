/** `/_ping` and `/version`, shaped like the Docker Engine API's. */
import { arch, release } from "node:os";
import type { Router } from "./router.js";
import { sendJson } from "./respond.js";
import { API_VERSION, MIN_API_VERSION, NETD_VERSION } from "../version.js";

export function addSystemRoutes(router: Router): void {
  router.add("GET", "/_ping", (req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache, no-store, must-revalidate", Pragma: "no-cache" });
    res.end(req.method === "HEAD" ? undefined : "OK");
  });
  router.add("GET", "/version", (_req, res) => {
    sendJson(res, 200, {
      Platform: { Name: "netd" },
      Version: NETD_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      Os: "linux",
      Arch: arch() === "x64" ? "amd64" : arch(),
      KernelVersion: release(),
      Components: [{ Name: "netd", Version: NETD_VERSION, Details: { ApiVersion: API_VERSION } }],
    });
  });
}
