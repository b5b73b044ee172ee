/**
 * The HTTP API (fastify with zod schemas) for the unix socket. Paths are accepted with and
 * without a `/v1.NN` prefix; every response carries Docker's `Api-Version`, `Server` and
 * `Ostype` headers (the docker CLI reads `Api-Version` from `HEAD /_ping` to choose its
 * prefix); errors are Docker's `{"message": …}`. The OpenAPI document at `/openapi.json` is
 * generated from the same schemas that validate requests.
 */
import fastifySwagger from "@fastify/swagger";
import Fastify, { LogController } from "fastify";
import type { FastifyBaseLogger } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from "fastify-type-provider-zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { ApiApp, ApiDeps } from "./app-types.js";
import { errorToHttp, malformedJson } from "./error-to-http.js";
import { networkRoutes } from "./routes/networks.js";
import { observeRoutes } from "./routes/observe.js";
import { dnsRoutes } from "./routes/dns.js";
import { sandboxRoutes } from "./routes/sandboxes.js";
import { systemRoutes } from "./routes/system.js";
import { cniRoutes } from "../cni/routes.js";
import { API_VERSION, NETD_VERSION } from "../version.js";

const VERSION_PREFIX = /^\/v\d+\.\d+(?=\/)/;

/** Options of {@link createApiServer}. */
export interface ApiServerOptions extends ApiDeps {
  /** pino logger; absent: no request logging. */
  readonly log?: FastifyBaseLogger;
}

/** Builds the API (not yet listening): `await app.listen({ path })`, later `await app.close()`. */
export async function createApiServer(options: ApiServerOptions): Promise<ApiApp> {
  const app = Fastify({
    ...(options.log ? { loggerInstance: options.log } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    rewriteUrl: (req) => (req.url ?? "/").replace(VERSION_PREFIX, ""),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; replies are built by netd itself and not re-validated.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.removeAllContentTypeParsers();
  // Go clients send JSON with or without a Content-Type, and empty bodies on some POSTs.
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(malformedJson(e), undefined);
    }
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "netd API", description: "Docker Engine API network endpoints plus netd's sandboxes, on a unix socket.", version: NETD_VERSION },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.addHook("onRequest", (_req, reply, done) => {
    void reply.header("Api-Version", API_VERSION).header("Server", `netd/${NETD_VERSION} (linux)`).header("Ostype", "linux");
    done();
  });
  // The docker CLI decodes an error body only when Content-Type is exactly "application/json".
  app.addHook("onSend", (_req, reply, payload, done) => {
    const type = reply.getHeader("content-type");
    if (typeof type === "string" && type.startsWith("application/json;")) void reply.header("content-type", "application/json");
    done(null, payload);
  });
  // "When a call returns, it is done": a change is answered only once the DNS servers serve it
  // (tables swap synchronously with the change's event; a new network's listener binds here).
  const dns = options.dns;
  if (dns) {
    app.addHook("onSend", async (req, _reply, payload) => {
      if (req.method !== "GET" && req.method !== "HEAD") await dns.settled();
      return payload;
    });
  }
  app.addHook("onResponse", (req, reply, done) => {
    options.metrics.observe(`${req.method} ${req.routeOptions.url ?? "unmatched"}`, reply.statusCode, reply.elapsedTime / 1000);
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, "request");
    done();
  });
  app.setErrorHandler((error, req, reply) => {
    const { status, body } = errorToHttp(error);
    if (status >= 500) req.log.error({ err: error, url: req.url }, "request failed");
    else req.log.info({ url: req.url, status, message: body.message }, "request rejected");
    return reply.code(status).header("Content-Type", "application/json").send(JSON.stringify(body));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).header("Content-Type", "application/json").send(JSON.stringify({ message: `page not found: ${req.method} ${req.url}`, code: "NOT_FOUND" })),
  );

  systemRoutes(app, options);
  networkRoutes(app, options);
  sandboxRoutes(app, options);
  dnsRoutes(app, options);
  observeRoutes(app, options);
  if (options.kernel) cniRoutes(app, { ...options, kernel: options.kernel });
  app.get("/openapi.json", { schema: { hide: true } }, () => Promise.resolve(app.swagger()));
  await app.ready();
  return app;
}
