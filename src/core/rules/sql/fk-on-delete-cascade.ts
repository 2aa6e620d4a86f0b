import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { ignoresInlineReferences } from "./mysql-inline-references-ignored.js";
import { PARSED_DIALECTS, sqlRule, type Lines, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "fk-on-delete-cascade",
  defaultSeverity: "notice",
  dialects: PARSED_DIALECTS,
  category: "integrity",
  description:
    "A foreign key with ON DELETE CASCADE: one DELETE of a parent row silently deletes every referencing row (and theirs, down the chain), possibly far more than the statement names, holding locks on each table it reaches.",
  saferAlternative:
    "ON DELETE RESTRICT (or NO ACTION), and delete the children explicitly, in batches, where the application decides it; keep CASCADE only for rows that are truly part of their parent.",
  suppressible: true,
});

interface Cascade {
  /** `orders (customer_id) → customers`. */
  key: string;
  lines: Lines;
}

/**
 * A design notice: the key's behaviour is chosen where it is declared, so keys of new tables are
 * reported too (that is when choosing costs nothing). One finding per statement, naming each
 * cascading key. Down files are left alone: they restore the design an up replaced.
 */
export const fkOnDeleteCascade = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    // MySQL before 9.0 and MariaDB before 10.5 ignore a column's own REFERENCES: no key, no
    // cascade (mysql-inline-references-ignored reports that).
    const inline = ctx.dialect !== "mysql" || !ignoresInlineReferences(ctx);
    for (const a of ctx.parsed) {
      const m = a.model;
      const found: Cascade[] = [];
      const add = (cols: string[], ref: ObjectName | undefined, lines: Lines) => {
        if (m.kind !== "create-table" && m.kind !== "alter-table") return;
        const parent = ref ? displayName(ref) : "its parent";
        found.push({ key: `${displayName(m.table)} (${cols.join(", ")}) → ${parent}`, lines });
      };
      if (m.kind === "create-table") {
        for (const c of m.columns)
          if (inline && c.references && c.onDelete === "CASCADE")
            add([c.name], c.references, ctx.at(a));
        for (const c of m.constraints)
          if (c.kind === "foreign-key" && c.onDelete === "CASCADE")
            add(c.columns, c.references, ctx.at(a));
      } else if (m.kind === "alter-table") {
        for (const x of m.actions) {
          const col =
            x.type === "add-column"
              ? x.column
              : x.type === "alter-column-type"
                ? x.definition
                : undefined;
          if (inline && col?.references && col.onDelete === "CASCADE")
            add([col.name], col.references, ctx.lines(x.span, a));
          if (x.type === "add-constraint" && x.constraint.kind === "foreign-key")
            if (x.constraint.onDelete === "CASCADE")
              add(x.constraint.columns, x.constraint.references, ctx.lines(x.span, a));
        }
      }
      if (found.length === 0) continue;
      const lines: Lines = {
        ...found[0]!.lines,
        startLine: Math.min(...found.map((f) => f.lines.startLine)),
        endLine: Math.max(...found.map((f) => f.lines.endLine)),
      };
      report({
        ...lines,
        message: message(
          ctx,
          found.map((f) => f.key),
        ),
        suggestion:
          "Use ON DELETE RESTRICT (or leave the default NO ACTION) and delete child rows explicitly, in batches, where the application means to; keep CASCADE only where the child rows are part of the parent (an order's lines), and suppress this notice with that reason.",
      });
    }
  },
});

function message(ctx: SqlRuleContext, keys: string[]): string {
  const what =
    keys.length === 1
      ? `The foreign key ${keys[0]} is ON DELETE CASCADE`
      : `The foreign keys ${keys.join(", ")} are ON DELETE CASCADE`;
  const sqlite =
    ctx.dialect === "sqlite"
      ? " (SQLite does so on every connection that turns foreign keys on with PRAGMA foreign_keys = ON.)"
      : "";
  return `${what}: every DELETE of a parent row also deletes the rows that reference it, and theirs in turn through further cascading keys, without the statement naming them. A DELETE meant for one row can remove far more than intended (a bulk delete or a mistaken WHERE multiplies it), and it locks every row it removes in each table it reaches.${sqlite}`;
}
