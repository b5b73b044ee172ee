/**
 * A cheap summary of a table as nft lists it (JSON): its chains with their rule counts and
 * the element count of every set and map. Reconcile compares it with what the firewall
 * applied, to notice `nft flush ruleset`, `delete table`, `flush table/chain/set` by others.
 */
import type { Element } from "./elements.js";

/** Chains with rule counts ("name:count", sorted) and element counts by set or map name. */
export interface TableFingerprint {
  readonly chains: readonly string[];
  readonly elements: ReadonlyMap<string, number>;
}

interface NftJsonItem {
  readonly chain?: { readonly name?: string };
  readonly rule?: { readonly chain?: string };
  readonly set?: { readonly name?: string; readonly elem?: readonly unknown[] };
  readonly map?: { readonly name?: string; readonly elem?: readonly unknown[] };
}

/** The fingerprint of `list table` JSON output (`{ nftables: [...] }`). */
export function fingerprintOf(listing: unknown): TableFingerprint {
  const items = ((listing as { nftables?: unknown } | null)?.nftables ?? []) as readonly NftJsonItem[];
  const rules = new Map<string, number>();
  const elements = new Map<string, number>();
  for (const item of items) {
    if (item.chain?.name !== undefined) rules.set(item.chain.name, rules.get(item.chain.name) ?? 0);
    if (item.rule?.chain !== undefined) rules.set(item.rule.chain, (rules.get(item.rule.chain) ?? 0) + 1);
    const s = item.set ?? item.map;
    if (s?.name !== undefined) elements.set(s.name, s.elem?.length ?? 0);
  }
  return { chains: [...rules].map(([name, n]) => `${name}:${n}`).sort(), elements };
}

/**
 * Chains with rule counts ("name:count", sorted) of a body rendered by render.ts: one rule
 * per statement, `type … hook …`/`policy` declarations excluded, as nft lists them.
 */
export function renderedChains(body: string): string[] {
  const out: string[] = [];
  let chain: string | null = null;
  let rules = 0;
  for (const line of body.split("\n").map((l) => l.trim())) {
    const start = /^chain (\S+) \{$/.exec(line);
    if (start) {
      chain = start[1] ?? "";
      rules = 0;
    } else if (chain !== null && line === "}") {
      out.push(`${chain}:${rules}`);
      chain = null;
    } else if (chain !== null) {
      rules += line.split(";").filter((t) => t.trim() !== "" && !/^(type|policy)\s/.test(t.trim())).length;
    }
  }
  return out.sort();
}

/** Element counts per set the firewall's state says the table holds. */
export function expectedElements(containers: readonly string[], elements: readonly Element[]): Map<string, number> {
  const out = new Map<string, number>(containers.map((c) => [c, 0]));
  for (const e of elements) out.set(e.set, (out.get(e.set) ?? 0) + 1);
  return out;
}

/** What differs between two fingerprints (empty when they match), for the log. */
export function fingerprintDiff(applied: TableFingerprint, expectedSets: ReadonlyMap<string, number>, found: TableFingerprint): string[] {
  const out: string[] = [];
  const want = new Set(applied.chains);
  const have = new Set(found.chains);
  for (const c of want) if (!have.has(c)) out.push(`chain ${c} missing or changed`);
  for (const c of have) if (!want.has(c)) out.push(`unexpected chain ${c}`);
  for (const [name, n] of expectedSets) {
    const got = found.elements.get(name);
    if (got !== n) out.push(`${name}: ${got ?? "missing"} elements, expected ${n}`);
  }
  return out;
}
