import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import {
  PARSED_DIALECTS,
  dropContext,
  sqlRule,
  type Analyzed,
  type SqlRuleContext,
} from "./types.js";

const meta = ruleMeta({
  id: "drop-table",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "data-loss",
  description:
    "DROP TABLE (or DROP OWNED BY, which drops every table a role owns; ClickHouse DETACH TABLE|VIEW|DICTIONARY) deletes the table and all its rows, or takes them out of reach; code that still uses it fails.",
  saferAlternative:
    "Stop using the table in the application and deploy that first; back it up (or check it is empty), then drop it in a later migration.",
  suppressible: true,
});

export const dropTable = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "drop" && m.objectType === "owned") {
        report({
          ...ctx.at(a),
          message: `DROP OWNED BY ${m.names.map(displayName).join(", ")} drops every table (and every other object) ${m.names.length === 1 ? "that role owns" : "those roles own"} in this database, with all their rows${m.cascade ? ", and with CASCADE also everything that depends on them" : ""}. Nothing in the migration says which tables that is.`,
        });
        continue;
      }
      if (m.kind === "create-table" && m.orReplace) {
        const { severity, note } = dropContext(ctx.lossOrigin("table", m.table, a.index));
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `CREATE OR REPLACE TABLE ${displayName(m.table)} first drops the table of that name if it exists, with every row in it (MariaDB), and creates an empty one in its place.${note}`,
        });
        continue;
      }
      if (m.kind === "drop" && m.detach) {
        // ClickHouse DETACH: gone for every query; the data stays on disk until someone ATTACHes it.
        const name = m.names[0]!;
        const table = m.objectType === "table";
        const { severity, note } = table
          ? dropContext(ctx.lossOrigin("table", name, a.index))
          : { severity: "warning" as const, note: "" };
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `DETACH ${m.objectLabel} ${displayName(name)}${m.detach === "permanently" ? " PERMANENTLY" : ""} removes it from the server ${m.detach === "permanently" ? "for good (also after a restart)" : "until the next server restart"}: every query of it fails and ${table ? "its rows are no longer readable or writable" : "what reads it breaks"}; the data is left on disk, and only a manual ATTACH brings it back.${note}`,
        });
        continue;
      }
      if (m.kind !== "drop" || m.objectType !== "table") continue;
      for (const name of m.names) {
        const rebuilt = rebuiltLater(ctx, name, a.index);
        if (rebuilt?.temp) {
          report({
            ...ctx.at(a),
            message: `DROP TABLE ${displayName(name)} deletes the table and every row in it: ${rebuilt.from}, renamed to ${displayName(name)} later in this file, is a TEMPORARY table, which ends with the migration's database session together with every row copied into it.`,
          });
          continue;
        }
        if (rebuilt?.copied === "filtered") {
          report({
            ...ctx.at(a),
            message: `DROP TABLE ${displayName(name)} deletes the rows its rebuild did not copy: the INSERT … SELECT into ${rebuilt.from} (renamed to ${displayName(name)} later in this file) keeps only the rows its WHERE, LIMIT or GROUP BY selects, or a later DELETE, UPDATE or TRUNCATE of ${rebuilt.from} removes or changes copied rows, and the originals go with the old table.`,
          });
          continue;
        }
        if (rebuilt?.copied) {
          report({
            ...ctx.at(a),
            severity: "notice",
            message: `DROP TABLE ${displayName(name)} is part of a table rebuild: ${rebuilt.from} is renamed to ${displayName(name)} later in this file, after rows were copied into it. Make sure every row was copied before the old table is dropped.`,
          });
          continue;
        }
        if (rebuilt) {
          report({
            ...ctx.at(a),
            message: `DROP TABLE ${displayName(name)} deletes the table and every row in it: ${rebuilt.from}, renamed to ${displayName(name)} later in this file, is a new table into which no INSERT … SELECT copies ${displayName(name)}'s rows first.`,
          });
          continue;
        }
        const { severity, note } = dropContext(ctx.lossOrigin("table", name, a.index));
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `DROP TABLE ${displayName(name)} deletes the table and every row in it, and application code that still reads or writes it starts failing.${note}`,
        });
      }
    }
  },
});

/**
 * The copy-and-swap rebuild (SQLite's way to change a column): a table created in this file
 * replaces the dropped one under its name. Returns the new table's name, and whether a statement
 * between its creation and the drop copied the old table's rows into it (without that, the swap
 * is a drop with extra steps).
 */
export function rebuiltLater(
  ctx: SqlRuleContext,
  name: ObjectName,
  index: number,
): {
  from: string;
  swap: ObjectName;
  copied: boolean | "filtered";
  copies: Analyzed[];
  /** The new table is TEMPORARY: it and the copied rows end with the session. */
  temp: boolean;
} | null {
  const swap = swappedIn(ctx, name, index);
  if (!swap) return null;
  const created = ctx.find("table", swap, index);
  const copies = ctx.parsed.filter(
    (c) =>
      c.index < index &&
      (created === undefined || c.index > created.statement || created.file < ctx.file) &&
      (c.model.writes ?? []).some((w) => sameObject(w, swap)) &&
      (c.model.reads ?? []).some((r) => sameObject(r, name)),
  );
  // A copy that keeps only some rows is no full copy (several partial copies may add up to one,
  // but that the text cannot show).
  // Rows deleted from (or rewritten in) the copy before the swap are lost the same way.
  const first = copies[0]?.index ?? index;
  const trimmed = ctx.parsed.some(
    (c) =>
      c.index > first &&
      c.index < index &&
      (((c.model.kind === "delete" || c.model.kind === "update") &&
        c.model.table !== null &&
        sameObject(c.model.table, swap)) ||
        (c.model.kind === "truncate" && c.model.tables.some((t) => sameObject(t, swap)))),
  );
  const copied =
    copies.length === 0
      ? false
      : trimmed || copies.every((c) => c.model.readsFiltered)
        ? "filtered"
        : true;
  return { from: displayName(swap), swap, copied, copies, temp: created?.temp === true };
}

/** The table created in this file that is renamed to `name` after statement `index`. */
function swappedIn(ctx: SqlRuleContext, name: ObjectName, index: number): ObjectName | null {
  for (const b of ctx.parsed) {
    if (b.index <= index) continue;
    const m = b.model;
    const renames =
      m.kind === "rename-tables"
        ? m.renames
        : m.kind === "alter-table"
          ? m.actions.flatMap((x) =>
              x.type === "rename-table" ? [{ from: m.table, to: x.to }] : [],
            )
          : [];
    for (const r of renames) {
      if (sameObject(r.to, name) && ctx.origin("table", r.from, b.index) === "file") return r.from;
    }
  }
  return null;
}
