import { fail } from "./errors.js";
import type { FakeNftSet } from "./state.js";

/**
 * Just enough of nft's grammar for the fake: braces must balance (outside strings and
 * comments), and `set NAME {` / `map NAME {` declarations at the top of a table body are
 * collected with their inline `elements = { ... }`. Chains and rules stay opaque text.
 */
export function parseTableBody(body: string, table: string): Map<string, FakeNftSet> {
  const masked = mask(body);
  const depth = depths(masked, table);
  const sets = new Map<string, FakeNftSet>();
  const decl = /(^|[\s;{}])(set|map)\s+([A-Za-z_][A-Za-z0-9_.-]*)\s*\{/g;
  for (let m = decl.exec(masked); m; m = decl.exec(masked)) {
    const start = m.index + (m[1] ?? "").length;
    if (depth[start] !== 0) continue;
    const kind = m[2] as "set" | "map";
    const name = m[3] ?? "";
    if (sets.has(name)) throw fail("NFT_ERROR", `table ${table} declares ${kind} '${name}' twice`, "declare each set or map once");
    const open = m.index + m[0].length - 1;
    const close = matching(masked, open);
    sets.set(name, { kind, elements: inlineElements(body, masked, open + 1, close) });
  }
  return sets;
}

/**
 * The chains declared at the top of a table body with their rule counts, in order: every
 * statement (line or ';'-separated) of a chain except its `type … hook …` and `policy`
 * declarations is one rule, as nft lists it.
 */
export function parseChains(body: string): Array<{ name: string; rules: number }> {
  const masked = mask(body);
  const depth = depths(masked, "");
  const out: Array<{ name: string; rules: number }> = [];
  const decl = /(^|[\s;{}])chain\s+([A-Za-z_][A-Za-z0-9_.-]*)\s*\{/g;
  for (let m = decl.exec(masked); m; m = decl.exec(masked)) {
    if (depth[m.index + (m[1] ?? "").length] !== 0) continue;
    const open = m.index + m[0].length - 1;
    const statements = masked.slice(open + 1, matching(masked, open)).split(/[\n;]/).map((t) => t.trim());
    out.push({ name: m[2] ?? "", rules: statements.filter((t) => t !== "" && !/^(type|policy|comment)\s/.test(t)).length });
  }
  return out;
}

/** The elements of `element` text as stored: whitespace collapsed. */
export function normaliseElement(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

/** The key of a map element ("80 : 10.0.0.2" → "80"); a set element is its own key. */
export function elementKey(kind: "set" | "map", element: string): string {
  if (kind === "set") return element;
  const masked = mask(element);
  let level = 0;
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i];
    if (c === "{" || c === "[" || c === "(") level++;
    else if (c === "}" || c === "]" || c === ")") level--;
    // IPv6 addresses hold ':' too; the map separator is the one with blanks around it.
    else if (c === ":" && level === 0 && masked[i - 1] === " " && masked[i + 1] === " ") return element.slice(0, i).trim();
  }
  return element;
}

/** Blanks out string contents and comments, keeping every index in place. */
function mask(text: string): string {
  let out = "";
  let inString = false;
  let inComment = false;
  for (const c of text) {
    if (inComment) {
      inComment = c !== "\n";
      out += inComment ? " " : c;
    } else if (inString) {
      inString = c !== '"';
      out += inString ? "_" : c;
    } else {
      inString = c === '"';
      inComment = c === "#";
      out += inComment ? " " : c;
    }
  }
  return out;
}

function depths(masked: string, table: string): number[] {
  const out: number[] = [];
  let level = 0;
  for (const c of masked) {
    if (c === "}") level--;
    if (level < 0) throw fail("NFT_ERROR", `unbalanced '}' in the body of table ${table}`, "check the rendered template");
    out.push(level);
    if (c === "{") level++;
  }
  if (level !== 0) throw fail("NFT_ERROR", `unclosed '{' in the body of table ${table}`, "check the rendered template");
  return out;
}

function matching(masked: string, open: number): number {
  let level = 0;
  for (let i = open; i < masked.length; i++) {
    if (masked[i] === "{") level++;
    else if (masked[i] === "}" && --level === 0) return i;
  }
  return masked.length;
}

function inlineElements(body: string, masked: string, from: number, to: number): string[] {
  const block = masked.slice(from, to);
  const m = /(^|[\s;])elements\s*=\s*\{/.exec(block);
  if (!m) return [];
  const open = from + m.index + m[0].length - 1;
  const close = matching(masked, open);
  const out: string[] = [];
  let level = 0;
  let start = open + 1;
  for (let i = open + 1; i <= close; i++) {
    const c = masked[i];
    if (c === "{" || c === "[" || c === "(") level++;
    else if ((c === "}" || c === "]" || c === ")") && i !== close) level--;
    if ((c === "," && level === 0) || i === close) {
      const element = normaliseElement(body.slice(start, i));
      if (element !== "") out.push(element);
      start = i + 1;
    }
  }
  return out;
}
