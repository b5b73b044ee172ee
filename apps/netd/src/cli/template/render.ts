/**
 * Renders parsed templates as Go's text/template does for JSON-shaped data: missing fields are
 * `<no value>`, maps print as `map[k:v]` with sorted keys, `range` over a map goes in key order.
 * Functions are docker's for --format: json, join, index, len, lower, upper, title, split,
 * println, printf (%s %d %v only), plus eq/ne/not/and/or for `if`.
 */
import type { Arg, Node, Pipeline } from "./parse.js";
import { TemplateError, parseTemplate } from "./parse.js";

interface Scope {
  readonly dot: unknown;
  readonly vars: Map<string, unknown>;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Go's fmt %v for JSON values. */
export function goPrint(v: unknown): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint(v[k])}`).join(" ")}]`;
  return typeof v === "string" ? v : JSON.stringify(v);
}

const truthy = (v: unknown): boolean => !(v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0));

const FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  json: (v) => JSON.stringify(v ?? null),
  join: (list, sep) => (Array.isArray(list) ? list.map(goPrint).join(String(sep)) : goPrint(list)),
  index: (v, ...keys) => keys.reduce<unknown>((acc, k) => (Array.isArray(acc) || isMap(acc) ? (acc as Record<string, unknown>)[String(k)] : undefined), v),
  len: (v) => (Array.isArray(v) ? v.length : isMap(v) ? Object.keys(v).length : typeof v === "string" ? v.length : 0),
  lower: (v) => goPrint(v).toLowerCase(),
  upper: (v) => goPrint(v).toUpperCase(),
  title: (v) => goPrint(v).replace(/\b\w/g, (c) => c.toUpperCase()),
  split: (v, sep) => goPrint(v).split(String(sep)),
  println: (...a) => `${a.map(goPrint).join(" ")}\n`,
  printf: (fmt, ...a) => String(fmt).replace(/%[sdv%]/g, (m) => (m === "%%" ? "%" : goPrint(a.shift()))),
  eq: (a, ...b) => b.some((x) => x === a),
  ne: (a, b) => a !== b,
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find(truthy) ?? a[a.length - 1],
};

function field(base: unknown, path: readonly string[]): unknown {
  let v = base;
  for (const p of path) v = isMap(v) ? v[p] : undefined;
  return v;
}

function argValue(a: Arg, s: Scope): unknown {
  if (a.kind === "literal") return a.value;
  if (a.kind === "func") return call(a.name, [], s);
  if (a.base === "dot") return field(s.dot, a.path);
  if (!s.vars.has(a.base)) throw new TemplateError(`undefined variable ${a.base}`);
  return field(s.vars.get(a.base), a.path);
}

function call(name: string, args: unknown[], _s: Scope): unknown {
  const f = FUNCS[name];
  if (!f) throw new TemplateError(`function "${name}" not defined; use one of ${Object.keys(FUNCS).join(", ")}`);
  return f(...args);
}

function evalPipe(p: Pipeline, s: Scope): unknown {
  let prev: unknown[] = [];
  for (const cmd of p.commands) {
    const [head, ...rest] = cmd;
    if (head!.kind === "func") prev = [call(head!.name, [...rest.map((a) => argValue(a, s)), ...prev], s)];
    else {
      if (rest.length > 0 || prev.length > 0) throw new TemplateError("can't give arguments to a non-function");
      prev = [argValue(head!, s)];
    }
  }
  return prev[0];
}

function renderNodes(nodes: readonly Node[], s: Scope, out: string[]): void {
  for (const n of nodes) {
    if (n.kind === "text") out.push(n.text);
    else if (n.kind === "action") {
      const v = evalPipe(n.pipe, s);
      if (n.pipe.decl.length > 0) s.vars.set(n.pipe.decl[0]!, v);
      else out.push(goPrint(v));
    } else if (n.kind === "if") renderNodes(truthy(evalPipe(n.pipe, s)) ? n.body : n.otherwise, s, out);
    else if (n.kind === "with") {
      const v = evalPipe(n.pipe, s);
      if (truthy(v)) renderNodes(n.body, { dot: v, vars: new Map(s.vars) }, out);
      else renderNodes(n.otherwise, s, out);
    } else {
      const v = evalPipe(n.pipe, s);
      const entries: Array<[unknown, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : isMap(v) ? Object.keys(v).sort().map((k) => [k, v[k]]) : [];
      if (entries.length === 0) renderNodes(n.otherwise, s, out);
      for (const [k, x] of entries) {
        const vars = new Map(s.vars);
        if (n.pipe.decl.length === 2) vars.set(n.pipe.decl[0]!, k).set(n.pipe.decl[1]!, x);
        else if (n.pipe.decl.length === 1) vars.set(n.pipe.decl[0]!, x);
        renderNodes(n.body, { dot: x, vars }, out);
      }
    }
  }
}

/** A parsed --format template; `render` applies it to one value. */
export interface Template {
  render(data: unknown): string;
}

/** Parses `src` once (errors name the template), for rendering many values. */
export function compileTemplate(src: string): Template {
  const nodes = parseTemplate(src);
  return {
    render(data) {
      const out: string[] = [];
      renderNodes(nodes, { dot: data, vars: new Map([["$", data]]) }, out);
      return out.join("");
    },
  };
}
