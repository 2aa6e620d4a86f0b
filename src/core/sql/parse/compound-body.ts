/**
 * The statements inside a MySQL/MariaDB or SQLite compound body: a procedure's, function's,
 * trigger's or event's body, and MariaDB's compound statements outside routines (`BEGIN NOT
 * ATOMIC … END`, `IF … END IF`). The same tracker that finds where the statement ends
 * (compound.ts) says where each inner statement starts; each is parsed like a statement of the
 * file, so the rules see what the body does. Control flow (IF, loops, CASE, handlers) only makes
 * what it contains conditional.
 */
import type { Dialect } from "../../types.js";
import { BlockTracker } from "../compound.js";
import { tokenize } from "../lexer.js";
import { noEffects, type Effects } from "../model.js";
import { tokenCalls } from "./mysql.js";
import { merge, shorten } from "./pg-effects.js";
import type { ParseOutcome, StatementInput } from "./types.js";

/** Words that start control flow (or declarations) rather than a statement to analyse. */
const CONTROL = new Set([
  "BEGIN",
  "NOT", // BEGIN NOT ATOMIC
  "ATOMIC",
  "END",
  "IF",
  "ELSEIF",
  "ELSE",
  "WHILE",
  "LOOP",
  "REPEAT",
  "UNTIL",
  "CASE",
  "WHEN",
  "THEN",
  "DECLARE",
  "LEAVE",
  "ITERATE",
  "OPEN",
  "CLOSE",
  "FETCH",
  "RETURN",
  "DO",
]);

export function compoundBody(
  input: StatementInput,
  dialect: Extract<Dialect, "mysql" | "sqlite">,
  parse: (input: StatementInput) => ParseOutcome,
  via: string,
): Effects {
  const out = noEffects();
  const toks = tokenize(input.text, dialect);
  const tr = new BlockTracker(dialect);
  let cur: { start: number; conditional: boolean } | null = null;

  const finish = (end: number) => {
    if (!cur) return;
    const text = input.text.slice(cur.start, end);
    const span = { start: input.base + cur.start, end: input.base + end };
    const r = parse({ text, base: span.start, span });
    if (r.ok) {
      const effects = r.model.effects;
      delete r.model.effects;
      out.embedded.push({ model: r.model, span, via, conditional: cur.conditional });
      if (effects) merge(out, effects, cur.conditional);
    } else {
      out.opaque.push({
        span,
        what: `a statement in the body that cannot be read (${shorten(text)}: ${r.message})`,
        conditional: cur.conditional,
      });
    }
    cur = null;
  };

  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === "punct" && t.text === ";") {
      finish(t.start);
      tr.semicolon();
      continue;
    }
    const atStart = tr.statementStart;
    if (t.kind === "word") tr.word(t.text, t.start);
    else tr.other(t.kind === "punct" ? t.text : t.kind, t.start);
    // Outside the body's statements (DECLARE … DEFAULT, IF/WHILE/UNTIL/CASE conditions, RETURN):
    // expressions that no statement parser reads still call routines.
    if (!cur && dialect === "mysql" && tr.inBody)
      out.calls.push(...tokenCalls(toks, k, k + 1, input.base, tr.conditional));
    const starts = atStart || tr.bodyStart === t.start;
    if (
      starts &&
      !cur &&
      t.kind === "word" &&
      !CONTROL.has(t.text) &&
      !(toks[k + 1]?.kind === "punct" && toks[k + 1]!.text === ":")
    )
      cur = { start: t.start, conditional: tr.conditional };
  }
  finish(toks.length > 0 ? toks[toks.length - 1]!.end : 0);
  return out;
}
