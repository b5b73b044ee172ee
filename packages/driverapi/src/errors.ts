/**
 * The error model shared by netd and every driver.
 *
 * Errors are recognised by a brand (`Symbol.for("netd.error")`), never by `instanceof`:
 * a third-party driver may bundle its own copy of this package, and its errors must still
 * be understood by the daemon.
 */

const BRAND: unique symbol = Symbol.for("netd.error") as never;

/**
 * What kind of failure this is. The daemon maps categories to HTTP statuses; nothing
 * else in netd knows about HTTP.
 * - `invalid`: the caller's input is wrong (400).
 * - `not_found`: a named object does not exist (404).
 * - `conflict`: the request clashes with existing state, e.g. a name or port in use (409).
 * - `forbidden`: the operation is not allowed in the object's current state (403).
 * - `unsupported`: the machine or driver cannot do this (e.g. a missing kernel feature).
 * - `kernel`: the kernel refused an operation that passed validation.
 * - `internal`: a bug in netd or a driver.
 */
export type ErrorCategory =
  | "invalid"
  | "not_found"
  | "conflict"
  | "forbidden"
  | "unsupported"
  | "kernel"
  | "internal";

/** Stable error codes are UPPER_SNAKE; this type rejects anything else at compile time. */
export type UpperSnake<S extends string> = S extends Uppercase<S>
  ? S extends `${string} ${string}` | `${string}-${string}` | `_${string}` | `${string}_`
    ? never
    : S
  : never;

/** One row of an error-code table: the category every error of this code carries. */
export interface ErrorCodeSpec {
  readonly category: ErrorCategory;
  /** One sentence describing when the code is used (documentation only). */
  readonly description: string;
}

/**
 * Declares a table of error codes. Keys must be UPPER_SNAKE (checked at type level);
 * the returned object is the same table, frozen, so `codes.SUBNET_OVERLAP` autocompletes.
 */
export function defineErrorCodes<const T extends Record<string, ErrorCodeSpec>>(
  table: T & { [K in keyof T]: K extends string ? (UpperSnake<K> extends never ? never : ErrorCodeSpec) : never },
): Readonly<T> {
  for (const key of Object.keys(table)) {
    if (!/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/.test(key)) {
      throw new TypeError(`error code '${key}' is not UPPER_SNAKE`);
    }
  }
  return Object.freeze(table);
}

/** Options accepted by the NetdError constructor. */
export interface NetdErrorOptions {
  /** Stable UPPER_SNAKE code, e.g. `SUBNET_OVERLAP`. */
  readonly code: string;
  readonly category: ErrorCategory;
  /** What happened, naming the values involved. */
  readonly message: string;
  /** What the user can do about it. Appended to the message after "; ". */
  readonly hint?: string;
  /** Structured values for logs and API clients (never needed to understand the message). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** The one error class of netd. Use {@link isNetdError} to recognise it. */
export class NetdError extends Error {
  readonly [BRAND] = true;
  readonly code: string;
  readonly category: ErrorCategory;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(options: NetdErrorOptions) {
    super(options.hint ? `${options.message}; ${options.hint}` : options.message, { cause: options.cause });
    this.name = "NetdError";
    this.code = options.code;
    this.category = options.category;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** A plain object for logs and API bodies. */
  toJSON(): { code: string; category: ErrorCategory; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, category: this.category, message: this.message, details: this.details };
  }
}

/** True for any NetdError, including ones created by another copy of this package. */
export function isNetdError(value: unknown): value is NetdError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Several failures from a best-effort operation (teardown, leave). `errors` holds each
 * one; the message lists them all.
 */
export class NetdAggregateError extends NetdError {
  readonly errors: readonly unknown[];
  constructor(message: string, errors: readonly unknown[], code = "MULTIPLE_FAILURES") {
    const parts = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    super({ code, category: firstCategory(errors), message: `${message}: ${parts.join("; ")}`, details: { count: errors.length } });
    this.errors = errors;
  }
}

function firstCategory(errors: readonly unknown[]): ErrorCategory {
  for (const e of errors) if (isNetdError(e)) return e.category;
  return "internal";
}

/**
 * Wraps any thrown value with context, keeping code and category when it already is a
 * NetdError: `failed to create bridge br-1a2b: <cause>`.
 */
export function wrapError(context: string, cause: unknown): NetdError {
  if (isNetdError(cause)) {
    return new NetdError({
      code: cause.code,
      category: cause.category,
      message: `${context}: ${cause.message}`,
      details: cause.details,
      cause,
    });
  }
  const text = cause instanceof Error ? cause.message : String(cause);
  return new NetdError({ code: "INTERNAL", category: "internal", message: `${context}: ${text}`, cause });
}

/**
 * A constructor for errors of one code table: `(code, message, hint?, details?, cause?)`,
 * with the category taken from the table. Each package makes one for its own codes.
 */
export function errorFactory<T extends Record<string, ErrorCodeSpec>>(
  table: Readonly<T>,
): (code: keyof T & string, message: string, hint?: string, details?: Record<string, unknown>, cause?: unknown) => NetdError {
  return (code, message, hint, details, cause) => new NetdError({ code, category: table[code].category, message, hint, details, cause });
}

/** Codes used by the contract itself; packages define their own tables next to their code. */
export const apiErrorCodes = defineErrorCodes({
  INVALID_ARGUMENT: { category: "invalid", description: "A value failed validation before anything was changed." },
  NOT_FOUND: { category: "not_found", description: "A named object does not exist." },
  INTERNAL: { category: "internal", description: "An unexpected failure; a bug." },
  MULTIPLE_FAILURES: { category: "internal", description: "A best-effort operation collected several failures." },
  KERNEL_ERROR: { category: "kernel", description: "The kernel refused an operation." },
  UNSUPPORTED: { category: "unsupported", description: "The kernel or driver lacks a feature." },
});

/** Shorthand for an `INVALID_ARGUMENT` error. */
export function invalidArgument(message: string, hint?: string, details?: Record<string, unknown>): NetdError {
  return new NetdError({ code: "INVALID_ARGUMENT", category: "invalid", message, hint, details });
}
