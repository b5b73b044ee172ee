import type { Protocol } from "@netd/driverapi";
import type { IpAddress } from "@netd/driverapi";
import { PortBitmap, PortUnion } from "./port-bitmap.js";

/** Allocations of one protocol in one address family. */
class FamilyTable {
  /** Ports held on the unspecified address (0.0.0.0 or ::). */
  readonly unspecified = new PortBitmap();
  /** Ports held per specific address; an entry is dropped when it becomes empty. */
  readonly specific = new Map<string, PortBitmap>();
  /** Union of `specific`, for requests on the unspecified address. */
  readonly anySpecific = new PortUnion();

  clear(): void {
    this.unspecified.clear();
    this.specific.clear();
    this.anySpecific.clear();
  }
}

/** Who holds a port that conflicts with a request, for error messages. */
export interface Holder {
  readonly address: string;
}

/**
 * Allocation state: protocol → family → address → ports. It knows the conflict sets of
 * §7.1 and nothing about ranges or cursors.
 *
 * Conflict sets: a specific address conflicts with itself and with the unspecified address
 * of its family; the unspecified address conflicts with every address of its family. IPv4
 * and IPv6 never conflict. Only the requested addresses are marked.
 */
export class PortTable {
  // protocol → [IPv4 table, IPv6 table]; created on first use (a PortUnion is 256 KiB).
  readonly #tables: Record<Protocol, [FamilyTable | null, FamilyTable | null]> = {
    tcp: [null, null],
    udp: [null, null],
    sctp: [null, null],
  };

  #table(protocol: Protocol, family: 4 | 6): FamilyTable {
    const pair = this.#tables[protocol];
    const index = family === 4 ? 0 : 1;
    return (pair[index] ??= new FamilyTable());
  }

  /**
   * The bitmaps whose union is every port `addresses` cannot take, deduplicated. Called
   * once per request; the scan then ORs them word by word.
   */
  conflictMaps(addresses: readonly IpAddress[], protocol: Protocol): PortBitmap[] {
    const maps: PortBitmap[] = [];
    const add = (map: PortBitmap): void => {
      if (!maps.includes(map)) maps.push(map);
    };
    for (const address of addresses) {
      const table = this.#table(protocol, address.family);
      add(table.unspecified);
      if (address.unspecified) {
        add(table.anySpecific.bitmap);
      } else {
        const own = table.specific.get(address.text);
        if (own) add(own);
      }
    }
    return maps;
  }

  /** The address holding `port` in `address`'s conflict set, or null when it is free there. */
  holder(address: IpAddress, protocol: Protocol, port: number): string | null {
    const table = this.#table(protocol, address.family);
    if (table.unspecified.has(port)) return address.family === 4 ? "0.0.0.0" : "::";
    if (address.unspecified) {
      if (!table.anySpecific.bitmap.has(port)) return null;
      for (const [text, map] of table.specific) if (map.has(port)) return text;
      return null;
    }
    return table.specific.get(address.text)?.has(port) ? address.text : null;
  }

  /** Marks `port` on `address` (which the caller checked is free). */
  add(address: IpAddress, protocol: Protocol, port: number): void {
    const table = this.#table(protocol, address.family);
    if (address.unspecified) {
      table.unspecified.add(port);
      return;
    }
    let map = table.specific.get(address.text);
    if (!map) {
      map = new PortBitmap();
      table.specific.set(address.text, map);
    }
    if (map.add(port)) table.anySpecific.add(port);
  }

  /** Clears `port` on `address` only; a no-op when it is not held there. */
  delete(address: IpAddress, protocol: Protocol, port: number): void {
    const table = this.#tables[protocol][address.family === 4 ? 0 : 1];
    if (!table) return;
    if (address.unspecified) {
      table.unspecified.delete(port);
      return;
    }
    const map = table.specific.get(address.text);
    if (!map?.delete(port)) return;
    table.anySpecific.delete(port);
    if (map.size === 0) table.specific.delete(address.text);
  }

  /** Forgets everything. */
  clear(): void {
    for (const pair of Object.values(this.#tables)) for (const table of pair) table?.clear();
  }
}
