/**
 * The one quoting module for nftables text. Drivers build nft commands only through the
 * {@link nft} tagged template: every interpolated value is validated and rendered by its
 * kind, so a name or address from a user can never change the structure of a command.
 *
 * Be aware:
 * - plain strings are accepted only when they are safe identifiers (`[A-Za-z0-9_.-]`,
 *   starting with a letter or `_`); anything else must be wrapped with {@link nftQuoted}
 *   (an nft string in double quotes) or be one of the typed helpers;
 * - nft 1.0.6 has no escape for `"` inside a string, so quoted strings refuse it.
 */

import { parseIpAddress } from "./ip.js";

const TEXT: unique symbol = Symbol.for("netd.nft-text") as never;

/** nftables text produced by {@link nft}. Only this module can create one. */
export interface NftText {
  readonly [TEXT]: true;
  readonly text: string;
}

/** An interpolation accepted by {@link nft}. Arrays render as `{ a, b }` sets. */
export type NftValue = NftText | string | number | bigint | readonly NftValue[];

const IDENT = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function make(text: string): NftText {
  return Object.freeze({ [TEXT]: true as const, text });
}

/** True if `value` was produced by {@link nft} or one of the helpers. */
export function isNftText(value: unknown): value is NftText {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TEXT] === true;
}

function render(value: NftValue): string {
  if (isNftText(value)) return value.text;
  if (typeof value === "number" || typeof value === "bigint") {
    if (typeof value === "number" && (!Number.isInteger(value) || value < 0)) {
      throw new TypeError(`nft: ${value} is not a non-negative integer`);
    }
    return String(value);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError("nft: an empty set cannot be rendered");
    return `{ ${value.map((v: NftValue) => render(v)).join(", ")} }`;
  }
  if (typeof value === "string" && IDENT.test(value)) return value;
  throw new TypeError(`nft: ${JSON.stringify(value)} is not a safe identifier; wrap it with nftQuoted(), nftAddr() or nftPrefix()`);
}

/** Renders nftables text; see the module comment for what interpolations may be. */
export function nft(strings: TemplateStringsArray, ...values: NftValue[]): NftText {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return make(out);
}

/** Joins several texts with a separator (default newline). */
export function nftJoin(parts: readonly NftText[], separator = "\n"): NftText {
  if (!/^[\s;,]*$/.test(separator)) throw new TypeError("nft: a separator may only hold whitespace, ';' or ','");
  return make(parts.map((p) => p.text).join(separator));
}

/** A double-quoted nft string (interface names, comments). Refuses `"`, `\` and control characters. */
export function nftQuoted(value: string): NftText {
  if (value.length === 0 || value.length > 255 || /["\\\p{Cc}]/u.test(value)) {
    throw new TypeError(`nft: ${JSON.stringify(value)} cannot be a quoted nft string`);
  }
  return make(`"${value}"`);
}

/** An IPv4 or IPv6 address (validated, not resolved). */
export function nftAddr(value: string): NftText {
  // Validated but rendered as given: canonicalising would unmap ::ffff:a.b.c.d into IPv4.
  if (parseIpAddress(value).ok) return make(value);
  throw new TypeError(`nft: ${JSON.stringify(value)} is not an IP address`);
}

/** A CIDR prefix such as `10.0.0.0/24` or `fd00::/64`. */
export function nftPrefix(value: string): NftText {
  const slash = value.indexOf("/");
  const addr = value.slice(0, slash);
  const len = Number(value.slice(slash + 1));
  const parsed = parseIpAddress(addr);
  const max = !parsed.ok ? -1 : parsed.address.family === 4 ? 32 : 128;
  if (slash < 0 || max < 0 || !/^\d{1,3}$/.test(value.slice(slash + 1)) || len > max) {
    throw new TypeError(`nft: ${JSON.stringify(value)} is not a CIDR prefix`);
  }
  return make(value);
}
