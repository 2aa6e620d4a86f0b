import { displayName, type ObjectName } from "../../sql/model.js";
import type { ObjectKind } from "../../sql/ledger.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type Lines, type SqlRuleContext } from "./types.js";

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
        /** A constraint whose name says it is a foreign key or a check (see constraintCascade). */
        byName?: true;
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
          else if (x.type === "drop-constraint" && x.cascade) {
            const judged = constraintCascade(ctx, x.name, m.table, a.index);
            if (judged === "nothing") continue;
            hits.push({
              what: `DROP CONSTRAINT ${x.name}`,
              kind: "constraint",
              name: { name: x.name },
              table: m.table,
              lines: ctx.lines(x.span, a),
              ...(judged === "by-name" ? { byName: true } : {}),
            });
          }
        }
      }
      for (const h of hits) {
        if (h.byName) {
          report({
            ...h.lines,
            severity: "notice",
            message: `${h.what} CASCADE: by its name the constraint is a foreign key or a CHECK, on which nothing can depend, so CASCADE drops nothing else. If it is in fact a PRIMARY KEY or UNIQUE constraint, CASCADE also drops every foreign key that references it.`,
            suggestion:
              "Drop it without CASCADE: Postgres then refuses if anything depends on it, and the review need not trust the name.",
          });
          continue;
        }
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

/**
 * What CASCADE can take with a dropped constraint. Only a PRIMARY KEY or UNIQUE constraint (its
 * index) can have dependents: the foreign keys that reference it, views grouping by the key.
 * Nothing can depend on a foreign key or a CHECK constraint. "nothing" when the change created
 * the constraint and says what it is; "by-name" when a name the change did not give it says so
 * (Postgres' own `_fkey`/`_check` suffixes, `fk_`/`chk_` prefixes…): a notice, since the name
 * is only a claim; "unknown" otherwise.
 */
function constraintCascade(
  ctx: SqlRuleContext,
  name: string,
  table: ObjectName,
  index: number,
): "nothing" | "by-name" | "unknown" {
  const created = ctx.find("constraint", { name }, index, table);
  if (created?.constraintKind)
    return NO_DEPENDENTS.has(created.constraintKind) ? "nothing" : "unknown";
  if (created || ctx.constraintRenamedTo(name, table, index)) return "unknown";
  return FK_OR_CHECK_NAME.test(name) ? "by-name" : "unknown";
}

const NO_DEPENDENTS = new Set(["foreign-key", "check", "not-null"]);
const FK_OR_CHECK_NAME = /(_fkey|_fk|_check|_chk)$|^(fk|chk|ck)_/i;
