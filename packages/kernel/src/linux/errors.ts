/**
 * Error codes of @netd/kernel and the conversion of a kernel refusal (errno plus the
 * extended-ack text) into a NetdError that names the operation and the objects.
 */
import type { NetdError } from "@netd/driverapi";
import { defineErrorCodes, type ErrorCategory, errorFactory } from "@netd/driverapi";

/** Every code this package throws, with its category. */
export const kernelErrorCodes = defineErrorCodes({
  KERNEL_ERROR: { category: "kernel", description: "The kernel refused an operation that passed validation." },
  LINK_EXISTS: { category: "conflict", description: "A link with that name already exists in the namespace." },
  LINK_NOT_FOUND: { category: "not_found", description: "A named link (or its parent or master) does not exist." },
  LINK_KIND_UNSUPPORTED: { category: "unsupported", description: "The kernel lacks the driver for a link kind (module missing)." },
  ADDRESS_EXISTS: { category: "conflict", description: "The address is already on the link." },
  ROUTE_EXISTS: { category: "conflict", description: "An equal route already exists." },
  NETNS_NOT_FOUND: { category: "not_found", description: "The namespace path does not exist or is not a network namespace." },
  NETNS_EXISTS: { category: "conflict", description: "A namespace with that name already exists." },
  SYSCTL_NOT_FOUND: { category: "not_found", description: "The sysctl does not exist in that namespace." },
  NFT_ERROR: { category: "kernel", description: "nftables refused a transaction." },
  INVALID_INTERFACE_NAME: { category: "invalid", description: "An interface name is empty, too long or has forbidden characters." },
  INVALID_NETNS: { category: "invalid", description: "A namespace name or path is malformed." },
  INVALID_ADDRESS: { category: "invalid", description: "An IP address or prefix is malformed or of the wrong family." },
  INVALID_ROUTE: { category: "invalid", description: "A route has neither gateway nor device, or bad values." },
  INVALID_MTU: { category: "invalid", description: "An MTU is outside 68-65535." },
  INVALID_MAC: { category: "invalid", description: "A MAC address is not six colon-separated hex bytes." },
  INVALID_VLAN_ID: { category: "invalid", description: "A VLAN id is outside 1-4094." },
  INVALID_LINK_MODE: { category: "invalid", description: "An ipvlan or macvlan mode is unknown." },
  INVALID_SYSCTL_KEY: { category: "invalid", description: "A sysctl key is not a net.* key of safe segments." },
  INVALID_NFT_TABLE: { category: "invalid", description: "A table is not one of netd's (name must start with 'netd')." },
  INVALID_NFT_TEXT: { category: "invalid", description: "An nft value was not produced by the nft template." },
  KERNEL_CLOSED: { category: "internal", description: "The Kernel was used after close()." },
  PROXY_INVALID_SPEC: { category: "invalid", description: "A userland proxy binding has a bad protocol, address or port." },
  PROXY_REFUSED: { category: "internal", description: "netd-proxy refused a request (its reply names why)." },
  PROXY_UNAVAILABLE: { category: "internal", description: "netd-proxy could not be started or reached on its control socket." },
});

export type KernelErrorCode = keyof typeof kernelErrorCodes;

/** Builds a NetdError of `code` with the category of the table. */
export const kernelError = errorFactory(kernelErrorCodes);

const STRERROR: Readonly<Record<number, string>> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  3: "No such process",
  12: "Cannot allocate memory",
  13: "Permission denied",
  16: "Device or resource busy",
  17: "File exists",
  19: "No such device",
  22: "Invalid argument",
  34: "Numerical result out of range",
  90: "Message too long",
  93: "Protocol not supported",
  95: "Operation not supported",
  97: "Address family not supported by protocol",
  99: "Cannot assign requested address",
  101: "Network is unreachable",
  105: "No buffer space available",
};

/** The errno whose strerror text appears in `text` (nft reports only the text), or undefined. */
export function errnoFromText(text: string): number | undefined {
  for (const [n, t] of Object.entries(STRERROR)) if (text.includes(t)) return Number(n);
  return undefined;
}

/** strerror(3) text for common errnos; "errno N" otherwise. */
export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** What the caller was doing, for the message: `add veth veth1a2b (peer eth0 in /run/netns/x)`. */
export interface OpContext {
  /** Verb and object, e.g. "add veth". */
  readonly op: string;
  /** Object names, the first one is shown after the verb. */
  readonly names: readonly string[];
  /** Extra words shown in parentheses. */
  readonly extra?: string;
  readonly netns: string;
  /** errno → code overrides for this operation, e.g. { 17: "LINK_EXISTS" }. */
  readonly codes?: Readonly<Record<number, KernelErrorCode>>;
  readonly hint?: string;
}

/**
 * The NetdError for a kernel refusal: "failed to add veth veth1a2b (peer eth0 in
 * /run/netns/x): File exists (errno 17): <kernel message>".
 */
export function fromErrno(ctx: OpContext, errno: number, kernelMessage?: string): NetdError {
  const code: KernelErrorCode = ctx.codes?.[errno] ?? "KERNEL_ERROR";
  const what = `${ctx.op} ${ctx.names[0] ?? ""}`.trim() + (ctx.extra ? ` (${ctx.extra})` : "");
  const km = kernelMessage ? `: ${kernelMessage}` : "";
  return kernelError(code, `failed to ${what} in ${ctx.netns}: ${strerror(errno)} (errno ${errno})${km}`, ctx.hint, {
    op: ctx.op,
    names: ctx.names,
    netns: ctx.netns,
    errno,
    kernelMessage: kernelMessage ?? null,
  });
}

/** The category a code maps to (for tests and callers that switch on it). */
export function categoryOf(code: KernelErrorCode): ErrorCategory {
  return kernelErrorCodes[code].category;
}
