/**
 * Routine definitions compared by what they say, not how they are laid out: a down that
 * re-creates a function with other indentation restores it. Whitespace between tokens is dropped
 * (kept as one space between two word characters); string literals, quoted identifiers and block
 * comments stay byte for byte; a line comment keeps its line end (joining the next line to it
 * would comment code out). Dollar quotes are transparent: they delimit the body being compared.
 */
import { createHash } from "node:crypto";

const WORD = /[A-Za-z0-9_$]/;

export function normalizeDefinition(text: string): string {
  let out = "";
  let i = 0;
  const n = text.length;
  const copyUntil = (end: string, from: number): number => {
    const j = text.indexOf(end, from);
    const stop = j === -1 ? n : j + end.length;
    out += text.slice(i, stop);
    return stop;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === "`") {
      // A doubled quote inside is two adjacent literals here: the same bytes either way.
      i = copyUntil(c, i + 1);
    } else if (c === "-" && text[i + 1] === "-") {
      const j = text.indexOf("\n", i);
      out += `${text.slice(i, j === -1 ? n : j).trimEnd()}\n`;
      i = j === -1 ? n : j + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      i = copyUntil("*/", i + 2);
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < n && /\s/.test(text[j]!)) j++;
      const before = out[out.length - 1];
      const after = text[j];
      if (before && after && WORD.test(before) && WORD.test(after)) out += " ";
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The digest a fingerprint records for a routine or event body. */
export function definitionDigest(text: string | null): string | null {
  return text === null ? null : createHash("md5").update(normalizeDefinition(text)).digest("hex");
}
