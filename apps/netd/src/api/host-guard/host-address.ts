/**
 * A port published on an address the host does not have cannot be bound; dockerd refuses it
 * with a client error. Checked before the sandbox is created, so nothing is left behind.
 */
import { canonicalIp, invalidArgument } from "@netd/driverapi";
import type { PortBinding } from "@netd/driverapi";
import type { HostView } from "./host-view.js";

/** Throws INVALID_ARGUMENT for the first binding whose host address is not one of the host's. */
export async function checkHostAddresses(bindings: readonly PortBinding[], host: HostView): Promise<void> {
  const wanted = bindings.filter((b) => b.hostIp !== null);
  if (wanted.length === 0) return;
  const own = new Set((await host.addresses()).map((a) => canonicalIp(a) ?? a));
  for (const b of wanted) {
    const ip = canonicalIp(b.hostIp!) ?? b.hostIp!;
    // Unspecified means every address; loopback addresses are the host's even where not listed.
    if (ip === "0.0.0.0" || ip === "::" || ip === "::1" || ip.startsWith("127.") || own.has(ip)) continue;
    const list = [...own].slice(0, 8).join(", ");
    throw invalidArgument(
      `cannot publish port ${b.containerPort}/${b.protocol} on ${ip}: the host has no such address`,
      `use one of the host's addresses (${list || "none"}), or none for all of them`,
      { hostIp: ip, containerPort: b.containerPort, protocol: b.protocol },
    );
  }
}
