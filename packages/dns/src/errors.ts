import { defineErrorCodes, errorFactory } from "@netd/driverapi";

/** Error codes of `@netd/dns`. */
export const dnsErrorCodes = defineErrorCodes({
  INVALID_DNS_NAME: { category: "invalid", description: "An alias (or name) is not a valid DNS name: labels of 1-63 letters, digits, '-' or '_', 253 characters at most." },
  DNS_LISTEN_FAILED: { category: "kernel", description: "The DNS server could not bind a network's gateway address on port 53." },
});

export const dnsError = errorFactory(dnsErrorCodes);
