/**
 * The CLI's HTTP client: JSON over the daemon's unix socket (`-H unix:///path`, NETD_HOST, or
 * the default socket). Errors carry the daemon's message and make the CLI exit with 1.
 */
import { request } from "node:http";

export const DEFAULT_HOST = "unix:///run/netd/netd.sock";

/** A failure the CLI reports as `netd: <message>` with `exitCode`; `code` is the daemon's error code (shown with -D). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Turns `unix:///path` (or a bare absolute path) into the socket path. */
export function socketPathOf(host: string): string {
  if (host.startsWith("unix://")) return host.slice("unix://".length);
  if (host.startsWith("/")) return host;
  throw new CliError(`unsupported host '${host}'; netd listens on a unix socket: use -H unix:///run/netd/netd.sock`);
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** A client bound to one socket. */
export class ApiClient {
  constructor(readonly host: string) {}

  /** Sends a request; resolves for any HTTP status (use {@link call} to throw on errors). */
  raw(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const socketPath = socketPathOf(this.host);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      // agent: false: a kept-alive socket to a restarted daemon would fail with EPIPE.
      const req = request({ socketPath, method, path, agent: false, headers: payload === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      });
      req.on("error", (e: NodeJS.ErrnoException) =>
        reject(new CliError(`cannot reach netd at ${this.host}: ${e.code ?? e.message}; is the daemon running (netd daemon), and is -H/NETD_HOST right?`)),
      );
      req.end(payload);
    });
  }

  /** Sends a request and returns the parsed body; a 4xx/5xx throws the daemon's message. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    if (res.status >= 400) {
      const { message, code } = (res.body as { message?: unknown; code?: unknown } | undefined) ?? {};
      throw new CliError(`Error response from daemon: ${typeof message === "string" ? message : `HTTP ${res.status} ${res.text}`}`, 1, typeof code === "string" ? code : undefined);
    }
    return res.body as T;
  }
}

/** Encodes a path segment (names and ids). */
export const seg = (s: string): string => encodeURIComponent(s);
