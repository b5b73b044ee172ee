import { isIP } from "node:net";
import type { Driver, ExposedPort, PortBinding, Protocol } from "@netd/driverapi";
import type { NetworkRecord, SandboxRecord } from "../model.js";
import { coreError } from "../errors.js";

const PROTOCOLS: readonly Protocol[] = ["tcp", "udp", "sctp"];

function checkPort(what: string, port: unknown, allowZero: boolean): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw coreError("INVALID_ARGUMENT", `invalid ${what} ${JSON.stringify(port)}`, `use a port between ${allowZero ? 0 : 1} and 65535`);
  }
  return port;
}

function checkProtocol(p: unknown): Protocol {
  if (!PROTOCOLS.includes(p as Protocol)) {
    throw coreError("INVALID_ARGUMENT", `unknown protocol ${JSON.stringify(p)}`, "use tcp, udp or sctp");
  }
  return p as Protocol;
}

/** Validates requested bindings; returns normalised copies (IPv4-mapped host IPs unmapped). */
export function checkPortBindings(value: unknown): PortBinding[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw coreError("INVALID_ARGUMENT", "portBindings must be a list", "pass an array of bindings");
  return value.map((b: Partial<PortBinding>) => {
    const protocol = checkProtocol(b.protocol);
    const containerPort = checkPort("container port", b.containerPort, false);
    const start = checkPort("host port", b.hostPortStart ?? 0, true);
    const end = checkPort("host port", b.hostPortEnd ?? start, true);
    if (end < start || (start === 0 && end !== 0)) {
      throw coreError("INVALID_ARGUMENT", `invalid host port range ${start}-${end}`, "give the lower port first, e.g. 8000-8010");
    }
    let hostIp = b.hostIp ?? null;
    if (hostIp !== null) {
      if (typeof hostIp !== "string" || isIP(hostIp) === 0) {
        throw coreError("INVALID_ARGUMENT", `invalid host IP ${JSON.stringify(hostIp)}`, "use an IPv4 or IPv6 address, or leave it empty for all addresses");
      }
      const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(hostIp);
      if (m) hostIp = m[1]!;
    }
    return { protocol, containerPort, hostIp, hostPortStart: start, hostPortEnd: end };
  });
}

export function checkExposedPorts(value: unknown): ExposedPort[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw coreError("INVALID_ARGUMENT", "exposedPorts must be a list", "pass an array of { protocol, port }");
  return value.map((p: Partial<ExposedPort>) => ({ protocol: checkProtocol(p.protocol), port: checkPort("exposed port", p.port, false) }));
}

/**
 * The warning core gives when a sandbox with published or exposed ports joins a network whose
 * driver does not publish ports (capabilities.publishesPorts false); null when nothing is lost.
 */
export function unpublishedWarning(sandbox: SandboxRecord, network: NetworkRecord, driver: Driver): string | null {
  if (driver.capabilities.publishesPorts || sandbox.portBindings.length === 0) return null;
  const ports = [...new Set(sandbox.portBindings.map((b) => `${b.containerPort}/${b.protocol}`))].join(", ");
  return `driver '${driver.name}' of network '${network.name}' does not publish ports; ${ports} of sandbox '${sandbox.name}' is not published on that network`;
}
