import { tokenize } from "../lexer.js";

/**
 * The value of a Postgres string literal token ('…', E'…', $tag$…$tag$) with, for every character
 * of the value, where it is written in the token: a DO body or an EXECUTEd string is analysed as
 * SQL of its own, and its findings must point at the right line of the file.
 */
export interface Literal {
  value: string;
  /** Offset in the token's text of value character `i` (i may be value.length: the end). */
  at(i: number): number;
}

export function readLiteral(raw: string): Literal | null {
  if (raw.startsWith("$")) {
    const tagEnd = raw.indexOf("$", 1);
    if (tagEnd < 0) return null;
    const tag = raw.slice(0, tagEnd + 1);
    const closed = raw.length >= 2 * tag.length && raw.endsWith(tag);
    const value = raw.slice(tag.length, closed ? raw.length - tag.length : raw.length);
    return { value, at: (i) => tag.length + Math.min(i, value.length) };
  }
  const escape = /^[eE]'/.test(raw);
  const open = escape ? 1 : raw.startsWith("'") ? 0 : -1;
  if (open < 0) return null;
  const chars: string[] = [];
  const offsets: number[] = [];
  const end = raw.length > open + 1 && raw.endsWith("'") ? raw.length - 1 : raw.length;
  for (let j = open + 1; j < end;) {
    const c = raw[j]!;
    offsets.push(j);
    if (c === "'" && raw[j + 1] === "'") {
      chars.push("'");
      j += 2;
    } else if (escape && c === "\\" && j + 1 < end) {
      const [v, len] = unescape(raw, j + 1);
      chars.push(v);
      j += 1 + len;
    } else {
      chars.push(c);
      j++;
    }
  }
  offsets.push(end);
  return { value: chars.join(""), at: (i) => offsets[Math.min(i, offsets.length - 1)]! };
}

/** One backslash escape of an E'' string starting after the backslash: [value, length]. */
function unescape(raw: string, j: number): [string, number] {
  const c = raw[j]!;
  const simple: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
  if (c in simple) return [simple[c]!, 1];
  const hex = (n: number, re: RegExp): [string, number] | null => {
    const m = re.exec(raw.slice(j + 1, j + 1 + n));
    return m ? [String.fromCodePoint(parseInt(m[0], 16)), 1 + m[0].length] : null;
  };
  if (c === "x") return hex(2, /^[0-9a-fA-F]{1,2}/) ?? ["x", 1];
  if (c === "u") return hex(4, /^[0-9a-fA-F]{4}/) ?? ["u", 1];
  if (c === "U") return hex(8, /^[0-9a-fA-F]{8}/) ?? ["U", 1];
  const oct = /^[0-7]{1,3}/.exec(raw.slice(j, j + 3));
  if (oct) return [String.fromCharCode(parseInt(oct[0], 8) & 0xff), oct[0].length];
  return [c, 1];
}

/**
 * The values of the Postgres string literals of `text` ('…', E'…', $tag$…$tag$), for rules that
 * look for a value being used (add-enum-value-in-transaction).
 */
export function pgStringValues(text: string): string[] {
  const out: string[] = [];
  for (const t of tokenize(text, "postgres")) {
    if (t.kind !== "string") continue;
    const lit = readLiteral(t.text);
    if (lit) out.push(lit.value);
  }
  return out;
}
