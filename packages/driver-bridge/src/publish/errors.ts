/** Errors of the publisher. */
import type { Protocol } from "@netd/driverapi";
import { NetdError, defineErrorCodes, isNetdError } from "@netd/driverapi";

/** Codes the publisher throws itself (the allocator's and reserver's codes pass through). */
export const publishErrorCodes = defineErrorCodes({
  HOST_PORT_IN_USE: { category: "conflict", description: "Another socket holds the host port." },
  PORT_BIND_FAILED: { category: "kernel", description: "Binding the host port failed for another reason." },
});

const hostPort = (ip: string, port: number): string => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

/** A proxy or reservation bind failure, worded like the reference's OS allocator. */
export function bindError(ip: string, port: number, protocol: Protocol, cause: unknown): NetdError {
  if (isNetdError(cause)) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const inUse = code === "EADDRINUSE";
  const reason = inUse ? "address already in use" : code === "EADDRNOTAVAIL" ? "cannot assign requested address" : String((cause as Error | null)?.message ?? cause);
  return new NetdError({
    code: inUse ? "HOST_PORT_IN_USE" : "PORT_BIND_FAILED",
    category: inUse ? "conflict" : "kernel",
    message: `failed to bind host port ${hostPort(ip, port)}/${protocol}: ${reason}`,
    hint: inUse
      ? `another process holds ${hostPort(ip, port)}/${protocol}; stop it or publish on another host port`
      : `check that ${ip} is an address of the host`,
    details: { hostIp: ip, hostPort: port, protocol },
    cause,
  });
}

/** True for failures where trying another host port of a range may help. */
export function isRetryableBind(error: unknown): boolean {
  return isNetdError(error) && (error.code === "HOST_PORT_IN_USE" || error.code === "PORT_BIND_FAILED");
}
