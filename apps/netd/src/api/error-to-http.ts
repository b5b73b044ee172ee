/**
 * The only place that maps errors to HTTP: NetdError categories to statuses, fastify's own
 * errors (validation, malformed JSON, body too large) to Docker's `{"message": …}` bodies.
 */
import { isNetdError } from "@netd/driverapi";
import type { ErrorCategory } from "@netd/driverapi";
import type { FastifyError } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";

const STATUS: Record<ErrorCategory, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unsupported: 400,
  kernel: 500,
  internal: 500,
};

/**
 * The HTTP status and error body of any thrown value: Docker's `message`, plus netd's stable
 * `code` (INVALID_ARGUMENT for request validation, INTERNAL for anything unexpected).
 */
export function errorToHttp(error: unknown): { status: number; body: { message: string; code: string } } {
  if (isNetdError(error)) return { status: STATUS[error.category] ?? 500, body: { message: error.message, code: error.code } };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? "request";
    const parts = error.validation.map((v) => {
      const path = v.instancePath.replace(/^\//, "").replace(/\//g, ".");
      const keys = (v.params as { keys?: string[] }).keys ?? [];
      if (v.keyword === "unrecognized_keys") return `unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${path ? `${path}.` : ""}${k}'`).join(", ")}`;
      return `${path ? `field '${path}'` : where}: ${v.message}`;
    });
    return { status: 400, body: { message: `invalid ${where}: ${parts.join("; ")}`, code: "INVALID_ARGUMENT" } };
  }
  const fe = error as Partial<FastifyError> & { message?: string };
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { message: fe.message ?? "bad request", code: fe.statusCode === 404 ? "NOT_FOUND" : "INVALID_ARGUMENT" } };
  }
  return { status: 500, body: { message: error instanceof Error ? error.message : String(error), code: "INTERNAL" } };
}

/** A 400 for a body that is not JSON, naming the parser's complaint. */
export function malformedJson(cause: unknown): Error & { statusCode: number } {
  const e = new Error(`malformed JSON body: ${cause instanceof Error ? cause.message : String(cause)}`) as Error & { statusCode: number };
  e.statusCode = 400;
  return e;
}
