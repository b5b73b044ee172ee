/**
 * A small method+path router for the Docker-compatible API. Paths are accepted with and
 * without a `/v1.NN` prefix, as the docker CLI sends either.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void> | void;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
  readonly handler: Handler;
}

const VERSION_PREFIX = /^\/v\d+\.\d+(?=\/)/;

export class Router {
  private readonly routes: Route[] = [];

  /** Registers `handler` for `method` and a path like `/networks/{id}`. */
  add(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/\{(\w+)\}/g, (_m, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /** Finds the route for a request; `allowed` lists methods of a path that exists with another method. */
  match(method: string, rawPath: string): { handler: Handler; params: Record<string, string> } | { allowed: string[] } | null {
    const path = rawPath.replace(VERSION_PREFIX, "");
    const allowed: string[] = [];
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      if (r.method !== method && !(method === "HEAD" && r.method === "GET")) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? "")));
      return { handler: r.handler, params };
    }
    return allowed.length > 0 ? { allowed } : null;
  }
}
