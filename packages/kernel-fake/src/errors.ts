import { defineErrorCodes, NetdError } from "@netd/driverapi";

/**
 * Codes the fake kernel throws. They are the codes of the Linux implementation
 * (src/linux/errors.ts; a unit test keeps the two tables in step) plus two that only the
 * fake raises, because they name an invariant it checks more strictly than Linux does:
 * BRIDGE_HAS_PORTS and ROUTE_UNREACHABLE. Where Linux refuses with a bare errno, the fake
 * throws KERNEL_ERROR with the same errno in `details.errno`.
 */
export const fakeKernelErrorCodes = defineErrorCodes({
  KERNEL_ERROR: { category: "kernel", description: "The kernel refused an operation that passed validation." },
  LINK_EXISTS: { category: "conflict", description: "A link with that name already exists in the namespace." },
  LINK_NOT_FOUND: { category: "not_found", description: "A named link (or its parent or master) does not exist." },
  LINK_KIND_UNSUPPORTED: { category: "unsupported", description: "The kernel lacks the driver for a link kind (FakeKernelOptions.missingLinkKinds)." },
  ADDRESS_EXISTS: { category: "conflict", description: "The address is already on the link." },
  ROUTE_EXISTS: { category: "conflict", description: "A route with the same table, prefix and metric exists." },
  NETNS_NOT_FOUND: { category: "not_found", description: "The namespace path is not known." },
  NETNS_EXISTS: { category: "conflict", description: "A namespace with that name already exists." },
  SYSCTL_NOT_FOUND: { category: "not_found", description: "The sysctl does not exist in that namespace (e.g. its interface is missing)." },
  NFT_ERROR: { category: "kernel", description: "nftables refused a transaction (missing table or set, bad body, key clash)." },
  INVALID_INTERFACE_NAME: { category: "invalid", description: "An interface name is empty, too long or has forbidden characters." },
  INVALID_NETNS: { category: "invalid", description: "A namespace name or path is malformed, or is the host namespace on delete." },
  INVALID_ADDRESS: { category: "invalid", description: "An IP address or prefix is malformed or of the wrong family." },
  INVALID_ROUTE: { category: "invalid", description: "A route has neither gateway nor device, or bad values." },
  INVALID_MTU: { category: "invalid", description: "An MTU is outside 68-65535." },
  INVALID_MAC: { category: "invalid", description: "A MAC address is not six colon-separated hex bytes of a unicast address." },
  INVALID_VLAN_ID: { category: "invalid", description: "A VLAN id is outside 1-4094 or given for a non-vlan link." },
  INVALID_LINK_MODE: { category: "invalid", description: "A child link kind or ipvlan/macvlan mode is unknown." },
  INVALID_SYSCTL_KEY: { category: "invalid", description: "A sysctl key is not a net.* key of safe segments, or its value is not one line." },
  INVALID_NFT_TABLE: { category: "invalid", description: "A table is not one of netd's (name must start with 'netd')." },
  INVALID_NFT_TEXT: { category: "invalid", description: "An nft value was not produced by the nft template, or a change is malformed." },
  KERNEL_CLOSED: { category: "internal", description: "The Kernel was used after close()." },
  BRIDGE_HAS_PORTS: { category: "forbidden", description: "Fake only: a bridge that still has ports cannot be deleted." },
  ROUTE_UNREACHABLE: { category: "kernel", description: "Fake only: the route's device is down or its gateway is not on-link." },
});

/** A code of {@link fakeKernelErrorCodes}, or INVALID_ARGUMENT for malformed calls of the fake's own helpers. */
export type FakeErrorCode = keyof typeof fakeKernelErrorCodes | "INVALID_ARGUMENT";

/** Builds a NetdError for `code`, taking the category from the code table. */
export function fail(code: FakeErrorCode, message: string, hint?: string, details?: Record<string, unknown>): NetdError {
  const category = code === "INVALID_ARGUMENT" ? "invalid" : fakeKernelErrorCodes[code].category;
  return new NetdError({ code, category, message, hint, details });
}

/** A refusal Linux reports only as an errno (EINVAL 22, EBUSY 16, ELOOP 40, EOPNOTSUPP 95). */
export function refused(errno: number, message: string, hint?: string, details?: Record<string, unknown>): NetdError {
  return fail("KERNEL_ERROR", message, hint, { ...details, errno });
}
