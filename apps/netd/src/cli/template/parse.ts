/**
 * Parser of the Go text/template subset that docker users put in `--format`: fields
 * (`.Name`, `.IPAM.Config`), variables (`$`, `$v.Name`), string and number literals, function
 * calls and pipelines (`json .`, `index .Labels "k"`, `.Name | upper`), `if`/`else`, `range`
 * (with `$k, $v :=`), `with`, and the `{{-`/`-}}` trim markers. The npm libraries checked lack
 * functions and variables (so no `json`, no `range $k, $v`), hence this small parser.
 */

/** One argument of a command. */
export type Arg =
  /** `base` is "dot" for `.X`, else a variable name such as "$" or "$v". */
  | { readonly kind: "field"; readonly base: string; readonly path: readonly string[] }
  | { readonly kind: "literal"; readonly value: string | number | boolean | null }
  | { readonly kind: "func"; readonly name: string };

/** A pipeline: `$a, $b := cmd1 | cmd2 …`; each command's result becomes the next one's last argument. */
export interface Pipeline {
  readonly decl: readonly string[];
  readonly commands: ReadonlyArray<readonly Arg[]>;
}

export type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "action"; readonly pipe: Pipeline }
  | { readonly kind: "if" | "with" | "range"; readonly pipe: Pipeline; readonly body: Node[]; readonly otherwise: Node[] };

/** A template that cannot be parsed; the message names the template text. */
export class TemplateError extends Error {}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|:=|\||,|[^\s|,"`]+)/y;

function tokens(src: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) break;
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  if (src.slice(pos).trim() !== "") throw new TemplateError(`cannot read '${src.slice(pos).trim()}' in '{{${src}}}'`);
  return out;
}

function arg(t: string, action: string): Arg {
  if (t.startsWith('"')) return { kind: "literal", value: JSON.parse(t) as string };
  if (t.startsWith("`")) return { kind: "literal", value: t.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: "literal", value: Number(t) };
  if (t === "true" || t === "false") return { kind: "literal", value: t === "true" };
  if (t === "nil") return { kind: "literal", value: null };
  if (t === ".") return { kind: "field", base: "dot", path: [] };
  if (t.startsWith(".")) return { kind: "field", base: "dot", path: t.slice(1).split(".") };
  if (t.startsWith("$")) {
    const [v, ...path] = t.split(".");
    return { kind: "field", base: v!, path };
  }
  if (/^[A-Za-z_]\w*$/.test(t)) return { kind: "func", name: t };
  throw new TemplateError(`unexpected '${t}' in '{{${action}}}'`);
}

function pipeline(src: string): Pipeline {
  const ts = tokens(src);
  const decl: string[] = [];
  const at = ts.indexOf(":=");
  if (at >= 0) {
    for (const t of ts.slice(0, at)) if (t !== ",") decl.push(t);
    if (decl.length === 0 || decl.length > 2 || decl.some((d) => !/^\$\w+$/.test(d))) throw new TemplateError(`bad variable declaration in '{{${src}}}'`);
  }
  const commands: Arg[][] = [[]];
  for (const t of ts.slice(at + 1)) {
    if (t === "|") commands.push([]);
    else if (t === ",") throw new TemplateError(`unexpected ',' in '{{${src}}}'`);
    else commands[commands.length - 1]!.push(arg(t, src));
  }
  if (commands.some((c) => c.length === 0)) throw new TemplateError(`empty command in '{{${src}}}'`);
  return { decl, commands };
}

/** Parses `src` into nodes; throws TemplateError naming the part it cannot read. */
export function parseTemplate(src: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { body: Node[] }>; inElse: boolean }> = [];
  const emit = (n: Node) => {
    const top = stack[stack.length - 1];
    (top ? (top.inElse ? top.node.otherwise : top.node.body) : root).push(n);
  };
  let pos = 0;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf("{{", pos);
    let text = src.slice(pos, open < 0 ? undefined : open);
    if (trimNext) text = text.trimStart();
    if (open < 0) {
      if (text) emit({ kind: "text", text });
      break;
    }
    const close = src.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateError(`unclosed action at '${src.slice(open, open + 20)}'`);
    let inner = src.slice(open + 2, close);
    if (inner.startsWith("- ") || inner === "-") text = text.trimEnd();
    trimNext = inner.endsWith(" -");
    inner = inner.replace(/^- /, "").replace(/ -$/, "").trim();
    if (text) emit({ kind: "text", text });
    pos = close + 2;
    if (inner.startsWith("/*")) continue;
    const word = /^(\w+)\b\s*/.exec(inner);
    const keyword = word?.[1];
    if (keyword === "if" || keyword === "with" || keyword === "range") {
      const node: Extract<Node, { body: Node[] }> = { kind: keyword, pipe: pipeline(inner.slice(word![0].length)), body: [] as Node[], otherwise: [] as Node[] };
      emit(node);
      stack.push({ node, inElse: false });
    } else if (keyword === "else") {
      const top = stack[stack.length - 1];
      if (!top || top.inElse) throw new TemplateError("{{else}} without {{if}}, {{with}} or {{range}}");
      top.inElse = true;
    } else if (keyword === "end") {
      if (!stack.pop()) throw new TemplateError("{{end}} without {{if}}, {{with}} or {{range}}");
    } else {
      emit({ kind: "action", pipe: pipeline(inner) });
    }
  }
  if (stack.length > 0) throw new TemplateError(`missing {{end}} for {{${stack[stack.length - 1]!.node.kind}}}`);
  return root;
}
