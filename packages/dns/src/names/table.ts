/**
 * The names of one network: forward (name -> addresses) and reverse (address -> name).
 * Changed one endpoint at a time ({@link NameTable.put}, {@link NameTable.delete}), so a
 * change costs the same with 1 or 1,000 endpoints; queries run on the same thread and never
 * see a half-applied change.
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

/** An entry as the table keeps it: valid names as map keys, bare addresses. */
interface Placed {
  readonly keys: readonly string[];
  readonly primary: string | undefined;
  readonly v4: string | null;
  readonly v6: string | null;
  /** Canonical spellings of v4 and v6, for the reverse map. */
  readonly reverse: readonly string[];
}

export class NameTable {
  private readonly placed = new Map<string, Placed>();
  /** Name key -> keys of the entries answering to it, in the order they were put. */
  private readonly forward = new Map<string, Set<string>>();
  /** Addresses per name, computed on first lookup after a change. */
  private readonly answers = new Map<string, NameAddresses>();
  /** Canonical address -> keys of the entries holding it; the last one put names it. */
  private readonly reverse = new Map<string, string[]>();
  private seq = 0;

  /** A table holding `entries` (keyed by position). */
  constructor(entries: readonly NameEntry[] = []) {
    for (const e of entries) this.put(`#${this.seq++}`, e);
  }

  /** Adds the entry under `key`, replacing what `key` held. */
  put(key: string, entry: NameEntry): void {
    this.delete(key);
    // Endpoint records carry addresses with their prefix length (10.1.0.2/24); DNS wants the address.
    const v4 = address(entry.ipv4);
    const v6 = address(entry.ipv6);
    const names = entry.names.filter(isDnsName);
    const keys = [...new Set(names.map(nameKey))];
    const reverse = names.length === 0 ? [] : [v4, v6].filter((ip): ip is string => ip !== null).map(canonical);
    this.placed.set(key, { keys, primary: names[0], v4, v6, reverse });
    for (const k of keys) {
      let holders = this.forward.get(k);
      if (!holders) this.forward.set(k, (holders = new Set()));
      holders.add(key);
      this.answers.delete(k);
    }
    for (const ip of reverse) {
      const holders = this.reverse.get(ip);
      if (holders) holders.push(key);
      else this.reverse.set(ip, [key]);
    }
  }

  /** Removes the entry under `key`; nothing happens when there is none. */
  delete(key: string): void {
    const p = this.placed.get(key);
    if (!p) return;
    this.placed.delete(key);
    for (const k of p.keys) {
      const holders = this.forward.get(k)!;
      holders.delete(key);
      if (holders.size === 0) this.forward.delete(k);
      this.answers.delete(k);
    }
    for (const ip of p.reverse) {
      const holders = this.reverse.get(ip)!.filter((h) => h !== key);
      if (holders.length === 0) this.reverse.delete(ip);
      else this.reverse.set(ip, holders);
    }
  }

  /** Keys of the entries held, in the order they were put. */
  keys(): IterableIterator<string> {
    return this.placed.keys();
  }

  /** The addresses of `name` (any case, trailing dot or not); undefined when the name is unknown. */
  lookup(name: string): NameAddresses | undefined {
    const k = nameKey(name);
    const known = this.answers.get(k);
    if (known) return known;
    const holders = this.forward.get(k);
    if (!holders) return undefined;
    const v4: string[] = [];
    const v6: string[] = [];
    for (const h of holders) {
      const p = this.placed.get(h)!;
      if (p.v4 && !v4.includes(p.v4)) v4.push(p.v4);
      if (p.v6 && !v6.includes(p.v6)) v6.push(p.v6);
    }
    const found = { v4, v6 };
    this.answers.set(k, found);
    return found;
  }

  /** The name for an address (any spelling), or undefined. */
  nameOf(ip: string): string | undefined {
    const holders = this.reverse.get(canonical(ip));
    return holders ? this.placed.get(holders[holders.length - 1]!)!.primary : undefined;
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
