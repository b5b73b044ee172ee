/**
 * The names of one network: forward (name -> addresses) and reverse (address -> name).
 * Built whole from the network's endpoints on every change and swapped in, so a query
 * never sees a half-updated table.
 */
import ipaddr from "ipaddr.js";
import { isDnsName, nameKey } from "./validate.js";

/** One joined endpoint: the names it answers to on this network and its addresses. */
export interface NameEntry {
  /** Sandbox name first (it is the PTR target), then aliases; invalid DNS names are skipped. */
  readonly names: readonly string[];
  /** The endpoint's addresses, bare or with a prefix length (as endpoint records keep them). */
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  /** The sandbox it belongs to: a sandbox on several networks sees the names of all of them. */
  readonly sandbox?: string;
}

/** Addresses behind one name. Several endpoints sharing an alias all appear here. */
export interface NameAddresses {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

export class NameTable {
  private readonly forward = new Map<string, { v4: string[]; v6: string[] }>();
  private readonly reverse = new Map<string, string>();

  constructor(entries: readonly NameEntry[]) {
    for (const raw of entries) {
      // Endpoint records carry addresses with their prefix length (10.1.0.2/24); DNS wants the address.
      const e = { ...raw, ipv4: address(raw.ipv4), ipv6: address(raw.ipv6) };
      const names = e.names.filter(isDnsName);
      for (const n of names) {
        const key = nameKey(n);
        let slot = this.forward.get(key);
        if (!slot) this.forward.set(key, (slot = { v4: [], v6: [] }));
        if (e.ipv4 && !slot.v4.includes(e.ipv4)) slot.v4.push(e.ipv4);
        if (e.ipv6 && !slot.v6.includes(e.ipv6)) slot.v6.push(e.ipv6);
      }
      const primary = names[0];
      if (primary === undefined) continue;
      for (const ip of [e.ipv4, e.ipv6]) if (ip) this.reverse.set(canonical(ip), primary);
    }
  }

  /** The addresses of `name` (any case, trailing dot or not); undefined when the name is unknown. */
  lookup(name: string): NameAddresses | undefined {
    return this.forward.get(nameKey(name));
  }

  /** The name for an address (any spelling), or undefined. */
  nameOf(ip: string): string | undefined {
    return this.reverse.get(canonical(ip));
  }

  /** Number of distinct names (for metrics and tests). */
  get size(): number {
    return this.forward.size;
  }
}

/** The address of `ip` or `ip/len`; null for anything that is not an IP address. */
export function address(ip: string | null): string | null {
  if (ip === null) return null;
  const bare = ip.replace(/\/\d+$/, "");
  return ipaddr.isValid(bare) ? bare : null;
}

/** One spelling per address (IPv6 expanded), for map keys. */
export function canonical(ip: string): string {
  return ipaddr.isValid(ip) ? ipaddr.parse(ip).toNormalizedString() : ip;
}

/** The address a reverse name (`4.3.2.1.in-addr.arpa`, nibble `ip6.arpa`) stands for, or undefined. */
export function addressOfReverseName(name: string): string | undefined {
  const key = nameKey(name);
  if (key.endsWith(".in-addr.arpa")) {
    const parts = key.slice(0, -".in-addr.arpa".length).split(".");
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().join(".");
  }
  if (key.endsWith(".ip6.arpa")) {
    const nibbles = key.slice(0, -".ip6.arpa".length).split(".");
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join("");
    const groups = hex.match(/.{4}/g) ?? [];
    return ipaddr.parse(groups.join(":")).toNormalizedString();
  }
  return undefined;
}
