import { displayName, type ObjectName } from "../../sql/model.js";
import type { ObjectKind } from "../../sql/ledger.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type Lines } from "./types.js";

const meta = ruleMeta({
  id: "drop-cascade",
  defaultSeverity: "error",
  dialects: ["postgres", "cockroachdb"],
  category: "data-loss",
  description:
    "DROP … CASCADE silently drops every object that depends on the dropped one (views, foreign keys, …).",
  saferAlternative:
    "Drop the dependent objects explicitly, by name, first; then drop without CASCADE so Postgres refuses if anything else still depends on it.",
  suppressible: true,
});

export const dropCascade = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      const hits: Array<{
        what: string;
        kind: ObjectKind;
        name: ObjectName;
        table?: ObjectName;
        lines: Lines;
      }> = [];
      if (m.kind === "drop" && m.cascade) {
        const kind: ObjectKind =
          m.objectType === "table"
            ? "table"
            : m.objectType === "index"
              ? "index"
              : m.objectType === "schema"
                ? "schema"
                : "other";
        for (const n of m.names)
          hits.push({
            what: `DROP ${m.objectLabel} ${displayName(n)}`,
            kind,
            name: n,
            lines: ctx.at(a),
          });
      } else if (m.kind === "alter-table") {
        for (const x of m.actions) {
          if (x.type === "drop-column" && x.cascade)
            hits.push({
              what: `DROP COLUMN ${x.column}`,
              kind: "column",
              name: { name: x.column },
              table: m.table,
              lines: ctx.lines(x.span, a),
            });
          else if (x.type === "drop-constraint" && x.cascade)
            hits.push({
              what: `DROP CONSTRAINT ${x.name}`,
              kind: "constraint",
              name: { name: x.name },
              table: m.table,
              lines: ctx.lines(x.span, a),
            });
        }
      }
      for (const h of hits) {
        // Whatever depends on an object created in this change was created after it: also new.
        const fresh = ctx.isCertainlyNew(h.kind, h.name, a.index, h.table);
        report({
          ...h.lines,
          ...(fresh ? { severity: "notice" as const } : {}),
          message: `${h.what} CASCADE also drops every object that depends on it — views, foreign keys, defaults, possibly other tables' columns — without naming them in the migration.${fresh ? " It was created earlier in this change, so only new objects can depend on it." : ""}`,
        });
      }
    }
  },
});
