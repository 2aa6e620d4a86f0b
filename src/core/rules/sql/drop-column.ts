import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { rebuiltLater } from "./drop-table.js";
import {
  PARSED_DIALECTS,
  alterActions,
  dropContext,
  sqlRule,
  type SqlRuleContext,
} from "./types.js";

const meta = ruleMeta({
  id: "drop-column",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "data-loss",
  description:
    "ALTER TABLE … DROP COLUMN deletes the column's data; code that still uses it fails.",
  saferAlternative:
    "Expand/contract: stop reading and writing the column in the application and deploy that, then drop it in a later migration.",
  suppressible: true,
});

export const dropColumn = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "drop-column") continue;
      const { severity, note } = dropContext(
        ctx.lossOrigin("column", { name: action.column }, a.index, table),
      );
      report({
        ...ctx.lines(action.span, a),
        ...(severity ? { severity } : {}),
        message: `Dropping column ${action.column} of ${displayName(table)} deletes its data, and the running application version fails on queries that still select or insert it (including ORMs that list every column).${note}`,
      });
    }
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "drop" || m.objectType !== "table" || m.detach) continue;
      for (const name of m.names) {
        const left = leftBehind(ctx, name, a.index);
        if (!left) continue;
        const cols = left.missing.join(", ");
        const { severity, note } = dropContext(ctx.lossOrigin("table", name, a.index));
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `DROP TABLE ${displayName(name)} ends a table rebuild whose copy into ${left.from} does not read column${left.missing.length > 1 ? "s" : ""} ${cols} of ${displayName(name)} ${left.decided}: ${left.missing.length > 1 ? "their" : "its"} values are deleted with the old table. This is a dropped column, not a rebuild, and the running application version fails on queries that still use it.${note}`,
        });
      }
    }
    for (const a of ctx.parsed) {
      const ct = a.model.kind === "other" ? a.model.compositeType : undefined;
      // A type the change created is used by nothing deployed yet.
      if (!ct || ct.drops.length === 0 || ctx.isNew("other", ct.name, a.index)) continue;
      const t = displayName(ct.name);
      report({
        ...ctx.at(a),
        message: `ALTER TYPE ${t} DROP ATTRIBUTE ${ct.drops.join(", ")} deletes that part of every value of the composite type: every column of type ${t} loses it silently (Postgres allows it without CASCADE), and with CASCADE every typed table (CREATE TABLE … OF ${t}) loses the column with its data.`,
      });
    }
  },
});

/**
 * The copy-and-swap rebuild (drop-table's `rebuiltLater`) whose INSERT … SELECT copies every row
 * but reads only some of the old table's columns: the columns left behind, from the schema before
 * the drop (the merged history and the change's earlier statements) or, without one, from the
 * table's creation earlier in this file; a generated column the new table computes again is not
 * left behind. Undefined when the copy reads `*`, or what it reads or what the table had cannot be
 * known.
 */
function leftBehind(
  ctx: SqlRuleContext,
  name: ObjectName,
  index: number,
): { from: string; missing: string[]; decided: string } | undefined {
  const rebuild = rebuiltLater(ctx, name, index);
  if (rebuild?.copied !== true) return undefined; // no copy or a partial one: drop-table's error
  const read = new Set<string>();
  for (const c of rebuild.copies) {
    const cols = c.model.readColumns;
    if (cols === undefined || cols === "*") return undefined;
    for (const x of cols) read.add(x.toLowerCase());
  }
  // Just before the drop; or, when a statement since made the schema unknown (the copy's own
  // call of a built-in function does), just before the first copy.
  let schema = ctx.schema(index);
  let known = schema?.lookup(name).table;
  if (!known) {
    schema = ctx.schema(rebuild.copies[0]!.index);
    known = schema?.lookup(name).table;
  }
  let old: Array<{ name: string; generated?: string | undefined }> | undefined;
  let decided: string;
  if (known) {
    old = [...known.columns.values()];
    decided = schema!.decided;
  } else {
    const created = createdBefore(ctx, name, index);
    if (created && !created.asQuery) old = created.columns;
    decided = "(as created earlier in this file)";
  }
  // A generated column cannot be copied (an INSERT may not name it) and holds nothing of its own:
  // left out of the copy, it is lost only if the new table does not compute it again.
  const computedAgain = generatedIn(ctx, rebuild.swap, index);
  const missing = (old ?? [])
    .filter(
      (c) =>
        !read.has(c.name.toLowerCase()) &&
        !(
          (c.generated === "stored" || c.generated === "virtual") &&
          computedAgain.has(c.name.toLowerCase())
        ),
    )
    .map((c) => c.name);
  return missing.length > 0 ? { from: rebuild.from, missing, decided } : undefined;
}

/** The CREATE TABLE of `name` last before statement `index` in this file. */
function createdBefore(ctx: SqlRuleContext, name: ObjectName, index: number) {
  const created = ctx.parsed.findLast(
    (b) => b.index < index && b.model.kind === "create-table" && sameObject(b.model.table, name),
  );
  return created?.model.kind === "create-table" ? created.model : undefined;
}

/** The generated columns (lower case) of the rebuild's new table, as created in this file. */
function generatedIn(ctx: SqlRuleContext, table: ObjectName, index: number): Set<string> {
  const created = createdBefore(ctx, table, index);
  return new Set(
    (created?.columns ?? [])
      .filter((c) => c.generated === "stored" || c.generated === "virtual")
      .map((c) => c.name.toLowerCase()),
  );
}
