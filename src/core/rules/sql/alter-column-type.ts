import { displayName } from "../../sql/model.js";
import { mysqlNarrowing, mysqlSameType, pgBinaryCompatible } from "../../schema/column-types.js";
import { ruleMeta } from "../types.js";
import { alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "alter-column-type",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "locking",
  description:
    "Changing a column's type rewrites the table under a blocking lock (unless the change is binary-compatible) and can break running code.",
  saferAlternative:
    "Add a new column with the new type, write to both, backfill in batches, switch reads, then drop the old column. Binary-compatible changes (varchar(n) → text or a longer varchar) are cheap: suppress with that reason.",
  suppressible: true,
});

export const alterColumnType = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "alter-column-type") continue;
      if (ctx.isCertainlyNew("column", { name: action.column }, a.index, table)) continue;
      const where = `${action.column} of ${displayName(table)}`;
      const schema = ctx.schema(a.index);
      const merged = schema?.column(table, action.column)?.column;
      const written = ctx.source.text.slice(action.span.start, action.span.end);
      let message: string;
      let severity: "warning" | undefined;
      // A column of its own collation takes the new type's default one: its indexes are rebuilt.
      if (
        merged &&
        ctx.dialect === "postgres" &&
        !action.using &&
        !/\bCOLLATE\b/i.test(written) &&
        merged.collation === undefined
      ) {
        // Binary coercible: Postgres keeps the rows and the indexes (no rewrite).
        if (pgBinaryCompatible(merged.dataType, action.dataType)) continue;
      }
      if (merged && ctx.dialect === "mysql") {
        const narrowing = mysqlNarrowing(merged.dataType, action.dataType);
        // A definition without CHARACTER SET / COLLATE takes the table's defaults: a change too.
        const def = action.definition;
        const charset = def?.charset !== merged.charset || def?.collation !== merged.collation;
        if (!narrowing && !charset && mysqlSameType(merged.dataType, action.dataType)) continue;
        if (narrowing) {
          report({
            ...ctx.lines(action.span, a),
            message: `${action.syntax === "change" ? "CHANGE" : "MODIFY"} COLUMN ${where} narrows it from ${narrowing} ${schema!.decided}. MySQL copies the table to convert every row: in strict SQL mode (the default since 5.7) the first value that does not fit fails the statement after part of the copy (errors 1265, 1406 or 1264; the migration is left dirty); without strict mode MySQL silently truncates or clamps the values that do not fit.`,
          });
          continue;
        }
      }
      if (ctx.dialect === "mysql") {
        const verb = action.syntax === "change" ? "CHANGE" : "MODIFY";
        // ALGORITHM=INPLACE/INSTANT makes MySQL refuse instead of silently copying the table.
        const algorithm =
          a.model.kind === "alter-table" &&
          a.model.actions.some(
            (x) => x.type === "other" && /^ALGORITHM\s*=?\s*(INPLACE|INSTANT)/i.test(x.detail),
          );
        if (algorithm) severity = "warning";
        message = `${verb} COLUMN ${where} restates the column as ${action.dataType}: if the type, length or character set changes, MySQL copies the whole table (ALGORITHM=COPY) and blocks writes until it finishes, and code expecting the old type may break.${algorithm ? " The statement names ALGORITHM=INPLACE/INSTANT, so MySQL fails rather than copying." : ""}`;
      } else if (ctx.dialect === "clickhouse") {
        message = `MODIFY COLUMN ${where} changes its type to ${action.dataType}: ClickHouse converts the column in every data part as a background mutation, which rewrites all of its data, can fail part-way on a value that does not convert and then stays stuck until it is killed; running code may also break on the new type.`;
      } else {
        const from = merged ? ` from ${merged.dataType} ${schema!.decided}` : "";
        message = `Changing the type of ${where}${from} to ${action.dataType}${action.using ? " with USING" : ""} rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile), unless the change is binary-compatible; running code may also break on the new type.`;
      }
      report({ ...ctx.lines(action.span, a), ...(severity ? { severity } : {}), message });
    }
    for (const a of ctx.parsed) {
      const ct = a.model.kind === "other" ? a.model.compositeType : undefined;
      // Without CASCADE Postgres refuses while a typed table uses the type (a column of the type
      // blocks it either way): it only succeeds on a type nothing stores.
      if (!ct || !ct.cascade || ct.retypes.length === 0 || ctx.isNew("other", ct.name, a.index))
        continue;
      const t = displayName(ct.name);
      report({
        ...ctx.at(a),
        message: `ALTER TYPE ${t} ALTER ATTRIBUTE ${ct.retypes.join(", ")} TYPE … CASCADE changes the column's type in every typed table of ${t} (CREATE TABLE … OF ${t}): each is rewritten under an ACCESS EXCLUSIVE lock and its values converted (a narrowing conversion rounds, truncates or fails on the rows that do not fit), and running code may break on the new type.`,
      });
    }
  },
});
