/**
 * MySQL and SQLite CREATE TRIGGER, read from its tokens for rule create-trigger-on-existing-table:
 * when it fires, and what its body does to the row. Both fire FOR EACH ROW. A MySQL BEFORE
 * trigger changes what is stored with `SET NEW.col = …` (or `SELECT … INTO NEW.col`, or a
 * procedure's OUT argument); a SQLite BEFORE trigger discards the write with `RAISE(IGNORE)`.
 */
import type { Token } from "../../lexer.js";
import type { TriggerDef, TriggerRowEffect } from "../../model.js";

/** The time functions an `updated_at` trigger sets: they record when, not what. */
const TIME = new Set([
  "NOW",
  "CURRENT_TIMESTAMP",
  "LOCALTIMESTAMP",
  "LOCALTIME",
  "UTC_TIMESTAMP",
  "SYSDATE",
]);

/**
 * Timing and events from the words between the trigger's name and ON (`head`), and the body's
 * row effect from the tokens after the table (`body`).
 */
export function tokenTrigger(
  head: readonly Token[],
  body: readonly Token[],
): Pick<TriggerDef, "timing" | "events" | "row" | "rowEffect"> {
  const words = head.filter((t) => t.kind === "word").map((t) => t.text);
  const timing = words.includes("INSTEAD")
    ? "instead"
    : words.includes("BEFORE")
      ? "before"
      : "after";
  const events = (["INSERT", "UPDATE", "DELETE"] as const)
    .filter((e) => words.includes(e))
    .map((e) => e.toLowerCase() as "insert" | "update" | "delete");
  const effect: TriggerRowEffect = { returns: [], overwrites: [] };
  const w = (i: number) => (body[i]?.kind === "word" ? body[i]!.text : "");
  const p = (i: number) => (body[i]?.kind === "punct" ? body[i]!.text : "");
  for (let i = 0; i < body.length; i++) {
    if (w(i) === "RAISE" && p(i + 1) === "(" && w(i + 2) === "IGNORE")
      effect.returns.push("RAISE(IGNORE)");
    if (w(i) === "CALL")
      effect.unreadable ??= "it calls a procedure (which may set NEW through an OUT argument)";
    if (w(i) === "INTO")
      for (let k = i + 1; k < body.length && w(k) !== "FROM" && p(k) !== ";"; k++)
        if (w(k) === "NEW" && p(k + 1) === ".") effect.overwrites.push("SELECT … INTO NEW");
    if (w(i) !== "NEW" || p(i + 1) !== ".") continue;
    // `NEW.col = expr` (or `:=`, two tokens) after SET or a `,`: the right-hand side up to `,`/`;`.
    const eq = p(i + 3) === "=" ? i + 4 : p(i + 3) === ":" && p(i + 4) === "=" ? i + 5 : -1;
    if (eq < 0 || !(w(i - 1) === "SET" || p(i - 1) === ",")) continue;
    let j = eq;
    let depth = 0;
    const rhs: Token[] = [];
    for (; j < body.length; j++) {
      const t = body[j]!;
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")") depth--;
      if (depth <= 0 && t.kind === "punct" && (t.text === "," || t.text === ";")) break;
      if (depth < 0) break;
      rhs.push(t);
    }
    const time =
      rhs.length > 0 &&
      rhs[0]!.kind === "word" &&
      TIME.has(rhs[0]!.text) &&
      (rhs.length === 1 ||
        (rhs.length >= 3 &&
          rhs[1]!.text === "(" &&
          rhs[rhs.length - 1]!.text === ")" &&
          rhs.slice(2, -1).every((t) => t.kind === "number")));
    if (!time) {
      const col = body[i + 2]?.text ?? "";
      effect.overwrites.push(`SET NEW.${col.toLowerCase()} = ${rhs.map((t) => t.text).join(" ")}`);
    }
  }
  return { timing, events, row: true, rowEffect: effect };
}
