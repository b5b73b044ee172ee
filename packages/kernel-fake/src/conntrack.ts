import type { ConntrackApi, ConntrackFilter, NetnsPath } from "@netd/driverapi";
import { fail } from "./errors.js";
import type { FakeWorld, SyncApi } from "./state.js";
import { ipText, parseIp } from "./validate.js";

/** Builds the ConntrackApi over `world`; entries exist only where a test seeded them. */
export function createConntrack(world: FakeWorld): SyncApi<ConntrackApi> {
  return {
    delete(netns: NetnsPath, filter: ConntrackFilter): number {
      const ns = world.ns(netns);
      if (filter.family !== 4 && filter.family !== 6) throw fail("INVALID_ADDRESS", `conntrack family ${JSON.stringify(filter.family)} is invalid`, "use 4 or 6");
      if (!["tcp", "udp", "sctp"].includes(filter.protocol)) {
        throw fail("INVALID_ADDRESS", `conntrack protocol ${JSON.stringify(filter.protocol)} is invalid`, "use tcp, udp or sctp");
      }
      for (const field of ["origDst", "replySrc"] as const) {
        if (filter[field] !== undefined && parseIp(filter[field]) === null) {
          throw fail("INVALID_ADDRESS", `conntrack ${field} ${JSON.stringify(filter[field])} is not an IP address`);
        }
      }
      const port = filter.origDstPort;
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
        throw fail("INVALID_ADDRESS", `conntrack origDstPort ${String(port)} is invalid`, "use 1-65535");
      }
      const canon = (v: string | undefined): string | undefined => (v === undefined ? undefined : ipText(parseIp(v)!));
      const origDst = canon(filter.origDst);
      const replySrc = canon(filter.replySrc);
      const before = ns.conntrack.length;
      ns.conntrack = ns.conntrack.filter(
        (e) =>
          !(
            e.family === filter.family &&
            e.protocol === filter.protocol &&
            (origDst === undefined || e.origDst === origDst) &&
            (port === undefined || e.origDstPort === port) &&
            (replySrc === undefined || e.replySrc === replySrc)
          ),
      );
      return before - ns.conntrack.length;
    },
  };
}
