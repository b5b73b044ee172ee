/** `/_ping` (GET and HEAD), `/version` and a minimal `/info`, shaped like the Docker Engine API's. */
import { arch, cpus, hostname, release, totalmem } from "node:os";
import { z } from "zod";
import type { ApiApp, ApiDeps } from "../app-types.js";
import { API_VERSION, MIN_API_VERSION, NETD_VERSION } from "../../version.js";

const dockerArch = () => (arch() === "x64" ? "amd64" : arch());

/** Registers the routes. */
export function systemRoutes(app: ApiApp, { controller, drivers }: ApiDeps): void {
  app.get("/_ping", { schema: { summary: "Ping", description: "OK, with the Api-Version header the docker CLI negotiates with.", tags: ["system"], response: { 200: z.string() } } }, (_req, reply) => {
    void reply.header("Content-Type", "text/plain; charset=utf-8").header("Cache-Control", "no-cache, no-store, must-revalidate").header("Pragma", "no-cache");
    return Promise.resolve("OK");
  });

  app.get("/version", { schema: { summary: "Version", description: "netd's version and the Docker Engine API version it answers as.", tags: ["system"] } }, () =>
    Promise.resolve({
      Platform: { Name: "netd" },
      Version: NETD_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      Os: "linux",
      Arch: dockerArch(),
      KernelVersion: release(),
      Components: [{ Name: "netd", Version: NETD_VERSION, Details: { ApiVersion: API_VERSION } }],
    }),
  );

  app.get("/info", { schema: { summary: "System information", description: "Minimal Docker info, with the network drivers loaded.", tags: ["system"] } }, () =>
    Promise.resolve({
      ID: "",
      Name: hostname(),
      ServerVersion: NETD_VERSION,
      OperatingSystem: "linux",
      OSType: "linux",
      Architecture: dockerArch(),
      KernelVersion: release(),
      NCPU: cpus().length,
      MemTotal: totalmem(),
      Containers: controller.listSandboxes().length,
      Plugins: { Network: controller.drivers().map((d) => d.name), Volume: [], Log: [] },
      Driver: "netd",
      // netd's own field: every registered network driver with where it came from.
      NetworkDrivers: (drivers ?? controller.drivers().map((d) => ({ ...d, source: "builtin", package: null, version: null }))).map((d) => ({
        Name: d.name,
        ApiVersion: d.apiVersion,
        Source: d.source,
        Package: d.package,
        Version: d.version,
      })),
      Warnings: [],
    }),
  );
}
