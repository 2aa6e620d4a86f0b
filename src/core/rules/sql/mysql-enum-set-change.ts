import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { redefinedColumns, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "mysql-enum-set-change",
  defaultSeverity: "warning",
  dialects: ["mysql"],
  category: "locking",
  description:
    "MODIFY/CHANGE of an ENUM or SET column whose new value list is not the merged one with values appended at the end (reordered, removed, inserted in the middle): MySQL copies the table, and stored values silently change or become ''.",
  saferAlternative:
    "Only append new values at the end of the list (an instant change while the storage size stays the same); to remove or reorder values, add a new column, backfill it, and switch the application over.",
  suppressible: true,
});

type ValueList = { kind: "ENUM" | "SET"; values: string[] };

/** `enum('a','b')` / `SET("x", 'y') CHARACTER SET …` as written → its values; null otherwise. */
export function valueList(dataType: string): ValueList | null {
  const m = /^\s*(enum|set)\s*\(/i.exec(dataType);
  if (!m) return null;
  const values: string[] = [];
  const item = /\s*(?:'((?:[^'\\]|''|\\.)*)'|"((?:[^"\\]|""|\\.)*)")\s*([,)])/y;
  item.lastIndex = m[0].length;
  for (;;) {
    const v = item.exec(dataType);
    if (!v) return null; // something the list reader does not follow: no claim
    values.push(v[1] !== undefined ? v[1].replace(/''/g, "'") : v[2]!.replace(/""/g, '"'));
    if (v[3] === ")") break;
  }
  return { kind: m[1]!.toUpperCase() as ValueList["kind"], values };
}

/** Bytes a row stores for the column: ENUM 1 up to 255 values, SET 1, 2, 3, 4 or 8. */
function storage(l: ValueList): number {
  if (l.kind === "ENUM") return l.values.length > 255 ? 2 : 1;
  const b = Math.ceil(l.values.length / 8);
  return b > 4 ? 8 : Math.max(b, 1);
}

export const mysqlEnumSetChange = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action, merged, schema } of redefinedColumns(ctx)) {
      const before = valueList(merged.dataType);
      const after = valueList(action.definition.dataType);
      if (!before || !after || before.kind !== after.kind) continue;
      const where = `${before.kind} column ${action.column} of ${displayName(table)} ${schema.decided}`;
      const kept = before.values.every((v, i) => after.values[i] === v);
      if (kept && after.values.length >= before.values.length) {
        if (storage(after) !== storage(before))
          report({
            ...ctx.lines(action.span, a),
            message: `${where}: the appended values change its storage size (${storage(before)} → ${storage(after)} bytes per row), so MySQL copies the whole table, blocking writes.`,
          });
        continue;
      }
      const removed = before.values.filter((v) => !after.values.includes(v));
      const what =
        removed.length > 0
          ? `removes ${removed.map((v) => `'${v}'`).join(", ")} (rows holding ${removed.length === 1 ? "it" : "them"} become '' or the statement fails in strict mode)`
          : "reorders or inserts values before existing ones (stored as positions, sorting and comparisons by number change)";
      report({
        ...ctx.lines(action.span, a),
        message: `${where}: the new value list ${what}; MySQL copies the whole table to do it, blocking writes. Only appending at the end is instant.`,
      });
    }
  },
});
