import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "alter-identity-or-sequence",
  defaultSeverity: "notice",
  dialects: PG,
  category: "compatibility",
  description:
    "ALTER SEQUENCE … RESTART / INCREMENT / MINVALUE / MAXVALUE / [NO] CYCLE / OWNED BY / AS, setval(), and ALTER COLUMN … ADD/SET GENERATED, RESTART, SET INCREMENT BY or DROP IDENTITY on an existing table: how ids are handed out changes under the application's running inserts (a RESTART or setval below the highest id hands out ids that exist: duplicate-key errors).",
  saferAlternative:
    "Coordinate id generation with the application: never move a sequence below max(id) (setval to the maximum, computed under a lock that blocks inserts), and change increments, limits and ownership when nothing inserts.",
  suppressible: true,
});

/**
 * A sequence or identity created in the same change hands out no deployed ids yet: silent. So is
 * a down file (it restores the sequence its up changed).
 */
export const alterIdentityOrSequence = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const seq = a.model.kind === "other" ? a.model.sequenceChange : undefined;
      if (!seq || seq.changes.length === 0) continue;
      if (seq.name && newSequence(ctx, seq.name, a.index)) continue;
      const what = seq.name ? `sequence ${displayName(seq.name)}` : "a sequence";
      const how =
        a.model.kind === "other" && a.model.tag === "setval"
          ? `setval() moves ${what} to another value`
          : `ALTER SEQUENCE changes ${seq.changes.join(", ")} of ${what}`;
      report({
        ...ctx.at(a),
        message: `${how} while the application may be inserting rows that draw from it: ${consequence(seq.changes)}`,
      });
    }
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "other" || !action.identity) continue;
      const { column, changes } = action.identity;
      if (
        ctx.isNew("table", table, a.index) ||
        ctx.isNew("column", { name: column }, a.index, table)
      )
        continue;
      report({
        ...ctx.lines(action.span, a),
        message: `ALTER COLUMN ${column} of ${displayName(table)} ${changes.join(", ")}: the column's id generation changes under the application's running inserts: ${consequence(changes)}`,
      });
    }
  },
});

/** Created in this change: by CREATE SEQUENCE, or as the serial sequence of a new table's column. */
function newSequence(ctx: SqlRuleContext, name: ObjectName, index: number): boolean {
  if (ctx.isNew("other", name, index)) return true;
  // serial / identity sequences are named <table>_<column>_seq.
  const m = /^(.+)_[^_]+_seq$/.exec(name.name);
  if (!m) return false;
  const table: ObjectName = { name: m[1]! };
  if (name.schema) table.schema = name.schema;
  return ctx.isNew("table", table, index);
}

function consequence(changes: string[]): string {
  const has = (...words: string[]) => changes.some((c) => words.some((w) => c.startsWith(w)));
  const parts: string[] = [];
  if (has("RESTART", "setval()", "ADD GENERATED"))
    parts.push(
      "values at or below the highest existing id are handed out again, and inserts fail with duplicate-key errors until the sequence passes it (a value computed as max(id) is stale once a concurrent insert commits)",
    );
  if (has("INCREMENT", "SET INCREMENT", "MINVALUE", "SET MINVALUE", "MAXVALUE", "SET MAXVALUE"))
    parts.push(
      "the step or limits change which ids new rows get, and inserts fail once a limit is reached",
    );
  if (has("CYCLE", "SET CYCLE"))
    parts.push("CYCLE hands out ids again from the start once the limit is reached");
  if (has("NO CYCLE", "SET NO CYCLE"))
    parts.push("NO CYCLE makes inserts fail once the limit is reached");
  if (has("AS", "SET AS")) parts.push("a smaller type lowers the limit at which inserts fail");
  if (has("SET GENERATED"))
    parts.push(
      "GENERATED ALWAYS rejects inserts that give the id themselves (BY DEFAULT starts accepting them, which can collide with later generated ids)",
    );
  if (has("DROP IDENTITY"))
    parts.push("inserts that leave the id to the database fail (null value in a NOT NULL column)");
  if (has("OWNED BY", "SET OWNED BY"))
    parts.push(
      "the column the sequence is dropped with changes (OWNED BY NONE: it outlives its column)",
    );
  return `${parts.join("; ")}.`;
}
