import { isNftText, type NetnsPath, type NftApi, type NftElementChange, type NftTableRef, type NftText } from "@netd/driverapi";
import { fail } from "./errors.js";
import { elementKey, normaliseElement, parseChains, parseTableBody } from "./nft-parse.js";
import type { FakeNftSet, FakeNftTable, FakeWorld, SyncApi } from "./state.js";

const FAMILIES = ["inet", "ip", "ip6"];

/** Validates a table reference; anything not named netd* is refused like the real adapter does. */
export function checkTable(ref: NftTableRef): string {
  if (typeof ref !== "object" || ref === null || !FAMILIES.includes(ref.family)) {
    throw fail("INVALID_NFT_TABLE", `nft table family ${JSON.stringify(ref?.family)} is invalid`, "use inet, ip or ip6");
  }
  if (typeof ref.name !== "string" || !ref.name.startsWith("netd")) {
    throw fail("INVALID_NFT_TABLE", `nft table ${JSON.stringify(ref.name)} is not one of netd's`, "netd only touches tables whose name starts with 'netd'", { table: ref.name });
  }
  if (!/^netd[A-Za-z0-9_.-]*$/.test(ref.name) || ref.name.length > 255) {
    throw fail("INVALID_NFT_TABLE", `nft table name ${JSON.stringify(ref.name)} is invalid`, "use letters, digits, '_', '.' or '-'");
  }
  return `${ref.family} ${ref.name}`;
}

/** Array.isArray without narrowing a readonly array to any[]. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

function checkText(value: unknown, what: string): string {
  if (!isNftText(value)) throw fail("INVALID_NFT_TEXT", `${what} is not nft text`, "build it with the nft`` template from @netd/driverapi");
  return value.text;
}

/** Builds the NftApi over `world`: table bodies are stored as text, set elements as text per set. */
export function createNft(world: FakeWorld): SyncApi<NftApi> {
  // Per namespace, outside the world: a snapshot compares kernel state, not a counter.
  const generations = new Map<string, number>();
  const bump = (path: string): void => void generations.set(path, (generations.get(path) ?? 1) + 1);
  return {
    replaceTable(netns: NetnsPath, table: NftTableRef, body: NftText): void {
      const ns = world.ns(netns);
      const key = checkTable(table);
      const text = checkText(body, `body of table ${key}`);
      const sets = parseTableBody(text, key);
      ns.nft.set(key, { family: table.family, name: table.name, body: text, sets });
      bump(ns.path);
    },

    deleteTable(netns: NetnsPath, table: NftTableRef): void {
      const ns = world.ns(netns);
      if (ns.nft.delete(checkTable(table))) bump(ns.path);
    },

    updateElements(netns: NetnsPath, changes: readonly NftElementChange[]): void {
      const ns = world.ns(netns);
      if (!isList(changes)) throw fail("INVALID_NFT_TEXT", "updateElements needs an array of changes");
      // One transaction: work on copies of the touched sets and swap them in only if all succeed.
      const staged = new Map<FakeNftSet, FakeNftSet>();
      for (const change of changes) {
        if (change.op !== "add" && change.op !== "delete") {
          throw fail("INVALID_NFT_TEXT", `element op ${JSON.stringify(change.op)} is invalid`, "use add or delete");
        }
        const key = checkTable(change.table);
        if (!isList(change.elements)) {
          throw fail("INVALID_NFT_TEXT", `elements of the change for ${key} ${change.set} are not an array`, "pass an array of nft texts");
        }
        // Like the Linux implementation, a change without elements is skipped entirely.
        if (change.elements.length === 0) continue;
        const table: FakeNftTable | undefined = ns.nft.get(key);
        if (!table) throw fail("NFT_ERROR", `nft table ${key} does not exist in ${ns.path}`, "create it with replaceTable first", { table: key, errno: 2 });
        const set = table.sets.get(change.set);
        if (!set) {
          throw fail("NFT_ERROR", `set or map '${change.set}' does not exist in table ${key}`, `declare it in the table body; known: ${[...table.sets.keys()].join(", ") || "none"}`, { table: key, set: change.set, errno: 2 });
        }
        const copy = staged.get(set) ?? { kind: set.kind, elements: [...set.elements] };
        staged.set(set, copy);
        for (const raw of change.elements) {
          const element = normaliseElement(checkText(raw, `element of ${change.set}`));
          const elKey = elementKey(copy.kind, element);
          const at = copy.elements.findIndex((e) => elementKey(copy.kind, e) === elKey);
          if (change.op === "delete") {
            if (at >= 0) copy.elements.splice(at, 1);
          } else if (at < 0) {
            copy.elements.push(element);
          } else if (copy.elements[at] !== element) {
            throw fail("NFT_ERROR", `map '${change.set}' in ${key} already maps ${elKey} to something else (${copy.elements[at]})`, "delete the old element first (in the same transaction)", { table: key, set: change.set, key: elKey, errno: 17 });
          }
        }
      }
      for (const [set, copy] of staged) set.elements = copy.elements;
      if (staged.size > 0) bump(ns.path);
    },

    listTable(netns: NetnsPath, table: NftTableRef): unknown {
      const ns = world.ns(netns);
      const found = ns.nft.get(checkTable(table));
      if (!found) return null;
      const items: unknown[] = [{ table: { family: found.family, name: found.name } }];
      for (const [name, set] of found.sets) {
        items.push({ [set.kind]: { family: found.family, table: found.name, name, elem: [...set.elements] } });
      }
      for (const chain of parseChains(found.body)) {
        items.push({ chain: { family: found.family, table: found.name, name: chain.name } });
        for (let i = 0; i < chain.rules; i++) items.push({ rule: { family: found.family, table: found.name, chain: chain.name } });
      }
      return { nftables: items };
    },

    generation(netns: NetnsPath): number {
      return generations.get(world.ns(netns).path) ?? 1;
    },

    // The fake cannot tell a test's "someone else" change from its own: every change counts.
    foreignChanges(netns: NetnsPath): number {
      return generations.get(world.ns(netns).path) ?? 1;
    },
  };
}
