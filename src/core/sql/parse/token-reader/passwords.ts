/**
 * Passwords written in MySQL statements (CREATE/ALTER USER, SET PASSWORD, GRANT … IDENTIFIED BY),
 * with where each clause is: plaintext-password reports them.
 */
import type { Token } from "../../lexer.js";
import type { PasswordLiteral } from "../../model.js";
import type { StatementInput } from "../types.js";

/**
 * MySQL password clauses from token `from` on: IDENTIFIED BY 'pw', IDENTIFIED WITH plugin BY
 * 'pw', IDENTIFIED WITH plugin AS 'hash', SET PASSWORD … = 'pw', PASSWORD('pw').
 */
export function passwordClauses(
  toks: readonly Token[],
  from: number,
  input: StatementInput,
): PasswordLiteral[] {
  const out: PasswordLiteral[] = [];
  for (let k = from; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== "word") continue;
    let lit: Token | undefined;
    let hashed = false;
    if (t.text === "IDENTIFIED") {
      let j = k + 1;
      if (toks[j]?.text === "WITH") j += 2; // plugin name
      if (toks[j]?.text === "AS") hashed = true;
      if (toks[j]?.text === "BY" || toks[j]?.text === "AS") {
        if (toks[j + 1]?.text === "PASSWORD") {
          hashed = true; // IDENTIFIED BY PASSWORD '*hash' (5.x)
          j++;
        }
        lit = toks[j + 1];
      }
    } else if (t.text === "PASSWORD" && (k === from || toks[k - 1]?.text === "SET")) {
      let j = k + 1;
      while (j < toks.length && !(toks[j]!.kind === "punct" && toks[j]!.text === "=")) j++;
      lit = toks[j + 1];
      if (lit?.kind === "word" && lit.text === "PASSWORD" && toks[j + 2]?.text === "(")
        lit = toks[j + 3];
    }
    if (lit && lit.kind === "string") {
      out.push({
        span: { start: input.base + t.start, end: input.base + lit.end },
        hashed,
        clause: input.text.slice(t.start, lit.end),
      });
    }
  }
  return out;
}
