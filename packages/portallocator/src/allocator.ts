import type { AllocatedPort, PortAllocator, Protocol } from "@netd/driverapi";
import type { IpAddress } from "@netd/driverapi";
import { invalidPortRange, portAlreadyAllocated, portsExhausted } from "./errors.js";
import { findFreeCircular, isFree } from "./find-free.js";
import { PortBitmap } from "./port-bitmap.js";
import { PortTable } from "./port-table.js";
import {
  FALLBACK_PORT_RANGE,
  PORT_RANGE_FILE,
  RESERVED_PORTS_FILE,
  parsePortRange,
  parseReservedPorts,
  readRealProcFile,
} from "./system-ports.js";
import type { PortRange, ReadProcFile } from "./system-ports.js";
import { checkAddress, checkAddresses, checkPort, checkProtocol, checkRange } from "./validate.js";

/** Options of {@link createPortAllocator}. Every field is optional; unset ones read /proc. */
export interface PortAllocatorOptions {
  /**
   * The default range, used for ephemeral requests (start == end == 0). Unset: read
   * `/proc/sys/net/ipv4/ip_local_port_range`, falling back to 49153-65535.
   */
  readonly range?: PortRange;
  /**
   * Ports the kernel keeps out of its own ephemeral assignments; skipped in the default
   * range only (explicit ports and ranges may use them). Unset: read
   * `/proc/sys/net/ipv4/ip_local_reserved_ports`; an empty array means none.
   */
  readonly reservedPorts?: readonly number[];
  /** Reads a /proc file (null when unreadable). Unset: the real file system. */
  readonly readProcFile?: ReadProcFile;
}

/** A {@link PortAllocator} that also tells which default range it uses. */
export interface LocalPortAllocator extends PortAllocator {
  /** The default (ephemeral) range in effect; re-read from /proc by `releaseAll` when not injected. */
  readonly defaultRange: PortRange;
}

const PROTOCOL_INDEX: Record<Protocol, number> = { tcp: 0, udp: 1, sctp: 2 };

function systemState(options: PortAllocatorOptions): { range: PortRange; reserved: PortBitmap } {
  const read = options.readProcFile ?? readRealProcFile;
  let range = options.range;
  if (range === undefined) {
    range = parsePortRange(read(PORT_RANGE_FILE)) ?? FALLBACK_PORT_RANGE;
  } else {
    // (0, 0) means "ephemeral" in a request but is no default range.
    if (range.start === 0) throw invalidPortRange(range.start, range.end);
    checkRange(range.start, range.end);
  }
  const reserved = new PortBitmap();
  const list = options.reservedPorts ?? parseReservedPorts(read(RESERVED_PORTS_FILE)) ?? [];
  for (const port of list) {
    checkPort("reserved port", port);
    reserved.add(port);
  }
  return { range: { start: range.start, end: range.end }, reserved };
}

/**
 * Creates a host-port allocator: pure bookkeeping, no sockets (see
 * `createOsPortReserver` for those). The daemon creates one at startup, calls `restore`
 * with the ports of running containers, and hands it to drivers; tests create their own.
 *
 * It reads the default range and the reserved ports once, here (and again in
 * `releaseAll`), unless they are injected through `options`. Throws INVALID_PORT_RANGE or
 * INVALID_PORT for bad injected values.
 */
export function createPortAllocator(options: PortAllocatorOptions = {}): LocalPortAllocator {
  let { range, reserved } = systemState(options);
  const table = new PortTable();
  // Scan cursors per (protocol, range, address): the last port handed out, so that a
  // released port is not reused at once, like the reference's per-range `last` (§7.1).
  // The range key is lo * 65536 + hi; one small map per range that was ever scanned.
  const cursors = new Map<number, Map<string, number>>();
  const cursorsOf = (protocol: Protocol, lo: number, hi: number): Map<string, number> => {
    const key = (PROTOCOL_INDEX[protocol] * 65536 + lo) * 65536 + hi;
    let map = cursors.get(key);
    if (!map) {
      map = new Map();
      cursors.set(key, map);
    }
    return map;
  };

  const mark = (addresses: readonly IpAddress[], protocol: Protocol, port: number): void => {
    for (const address of addresses) table.add(address, protocol, port);
  };

  const allocator: LocalPortAllocator = {
    get defaultRange(): PortRange {
      return range;
    },

    requestPortsInRange(addresses, protocol, start, end, requestOptions) {
      checkProtocol(protocol);
      checkRange(start, end);
      const hosts = checkAddresses(addresses);
      const prefer = requestOptions?.prefer;
      if (prefer !== undefined) checkPort("preferred port", prefer);

      if (start === end && start > 0) {
        for (const host of hosts) {
          const holder = table.holder(host, protocol, start);
          if (holder !== null) throw portAlreadyAllocated(host.text, protocol, start, holder);
        }
        mark(hosts, protocol, start);
        return start;
      }

      const isDefault = start === 0;
      const lo = isDefault ? range.start : start;
      const hi = isDefault ? range.end : end;
      const maps = table.conflictMaps(hosts, protocol);
      if (isDefault && reserved.size > 0) maps.push(reserved);

      // `prefer` does not move the cursor: it re-uses a known port (e.g. the IPv4 port
      // for a late IPv6 binding) and says nothing about where the scan should go next.
      if (prefer !== undefined && prefer >= lo && prefer <= hi && isFree(maps, prefer)) {
        mark(hosts, protocol, prefer);
        return prefer;
      }
      const rangeCursors = cursorsOf(protocol, lo, hi);
      const last = rangeCursors.get(hosts[0]!.text) ?? hi;
      const port = findFreeCircular(maps, lo, hi, last + 1);
      if (port < 0) {
        throw portsExhausted(
          hosts.map((h) => h.text),
          protocol,
          lo,
          hi,
          isDefault,
        );
      }
      mark(hosts, protocol, port);
      for (const host of hosts) rangeCursors.set(host.text, port);
      return port;
    },

    releasePort(address, protocol, port) {
      checkProtocol(protocol);
      const host = checkAddress(address);
      checkPort("port", port);
      table.delete(host, protocol, port);
    },

    releaseAll() {
      ({ range, reserved } = systemState(options));
      table.clear();
      cursors.clear();
    },

    restore(entries) {
      const parsed = entries.map((entry: AllocatedPort) => {
        checkProtocol(entry.protocol);
        checkPort("port", entry.port);
        return { host: checkAddress(entry.address), protocol: entry.protocol, port: entry.port };
      });
      const done: typeof parsed = [];
      for (const entry of parsed) {
        const holder = table.holder(entry.host, entry.protocol, entry.port);
        if (holder !== null) {
          for (const undo of done.reverse()) table.delete(undo.host, undo.protocol, undo.port);
          throw portAlreadyAllocated(entry.host.text, entry.protocol, entry.port, holder);
        }
        table.add(entry.host, entry.protocol, entry.port);
        done.push(entry);
      }
    },
  };
  return allocator;
}
