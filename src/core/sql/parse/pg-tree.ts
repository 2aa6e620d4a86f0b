/** Reading libpg-query's JSON parse trees: plain-object access, walking, spans, constants. */
import type { Node } from "libpg-query";
import { firstToken } from "../lexer.js";
import type { ObjectName, Span } from "../model.js";
import { Locator, type StatementInput } from "./types.js";

export type Json = Record<string, unknown>;
export const obj = (x: unknown): Json | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Json) : undefined;

/** From the statement keyword before a node's first location to its last token. */
export function nodeSpan(node: unknown, input: StatementInput, verb: string): Span {
  const loc = new Locator(input.text, input.base);
  let min = Infinity;
  let max = -1;
  visitAll(node, (k, v) => {
    if (k === "location" && typeof v === "number" && v >= 0) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  });
  if (min === Infinity) return input.span;
  const first = loc.index(min);
  const head = input.text.slice(0, first);
  let start = first;
  for (const m of head.matchAll(new RegExp(`\\b${verb}\\b`, "gi"))) start = m.index;
  const lastAt = loc.index(max);
  const tok = firstToken(input.text, "postgres", lastAt);
  const end = tok ? tok.end : lastAt + 1;
  return { start: input.base + start, end: input.base + Math.max(end, first + 1) };
}

/** A constant argument (a literal, possibly cast): `'replica'`, `'replica'::text`, `false`. */
export function isConst(n: Node): boolean {
  if ("A_Const" in n) return !(n.A_Const as { isnull?: boolean }).isnull;
  return "TypeCast" in n && n.TypeCast.arg !== undefined && isConst(n.TypeCast.arg);
}

/** Visit every key/value of a parse tree. */
function visitAll(node: unknown, f: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) visitAll(x, f);
    return;
  }
  const o = obj(node);
  if (!o) return;
  for (const k of Object.keys(o)) {
    const v = o[k];
    f(k, v);
    visitAll(v, f);
  }
}

/**
 * A regclass written as text (`'s'`, `'app.s'`, `'"Odd"'`), as Postgres reads it: unquoted parts
 * fold to lower case. Null when it is not a plain name.
 */
export function regclassName(text: string): ObjectName | null {
  const parts = text.match(/"(?:[^"]|"")*"|[^."]+/g);
  if (!parts || parts.length > 2 || parts.join(".") !== text.trim()) return null;
  const [a, b] = parts.map((p) =>
    p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.toLowerCase(),
  );
  return b === undefined ? { name: a! } : { schema: a!, name: b };
}
