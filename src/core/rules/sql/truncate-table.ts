import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import type { AlterAction } from "../../sql/model.js";
import { alterActions, dropContext, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "truncate-table",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "data-loss",
  description:
    "TRUNCATE deletes every row of a table (MySQL and ClickHouse partition actions, MySQL ENGINE = BLACKHOLE or MEMORY, ClickHouse OPTIMIZE … DEDUPLICATE: the rows they remove), and no down migration can bring them back.",
  saferAlternative:
    "Delete the rows you mean with a scoped DELETE … WHERE (in batches), or confirm the table is disposable and suppress with the reason.",
  suppressible: true,
});

export const truncateTable = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.dialect === "mysql" || ctx.dialect === "clickhouse")
      for (const { a, table, action } of alterActions(ctx)) {
        const what =
          ctx.dialect === "mysql" ? partitionLoss(action) : clickhousePartitionLoss(action);
        if (!what) continue;
        const { severity, note } = dropContext(ctx.lossOrigin("table", table, a.index));
        report({
          ...ctx.lines(action.span, a),
          ...(severity ? { severity } : {}),
          message: `${what.label} on ${displayName(table)} ${what.effect}; the data cannot be restored by rolling back the migration${ctx.dialect === "mysql" ? " (MySQL commits DDL implicitly)" : ""}.${note}`,
        });
      }
    for (const a of ctx.parsed) {
      const d = a.model.kind === "other" ? a.model.deduplicate : undefined;
      if (!d) continue;
      const { severity, note } = dropContext(ctx.lossOrigin("table", d.table, a.index));
      report({
        ...ctx.at(a),
        ...(severity ? { severity } : {}),
        message: `OPTIMIZE TABLE ${displayName(d.table)} … DEDUPLICATE ${d.by ? `BY ${d.by} deletes every row but one of each group with the same ${d.by}` : "deletes every row that duplicates another one in all its columns"} (in the parts it merges): the rows cannot be restored by rolling back the migration.${note}`,
      });
    }
    if (ctx.dialect === "cockroachdb")
      for (const { a, table, action } of alterActions(ctx)) {
        // Row-level TTL: a job deletes, from now on, every row past the expiry it sets.
        if (action.type !== "other" || action.option !== "SET" || !action.value) continue;
        const ttl = action.value
          .split(",")
          .find((n) => n === "ttl_expire_after" || n === "ttl_expiration_expression");
        // A TTL on a table of this change is its design, not a loss: it holds no deployed rows.
        if (!ttl || ctx.isCertainlyNew("table", table, a.index)) continue;
        report({
          ...ctx.lines(action.span, a),
          message: `SET (${ttl} = …) on ${displayName(table)} turns on CockroachDB's row-level TTL: a background job deletes every row past the expiry it sets — with a short one, every existing row — and no down migration brings them back.`,
        });
      }
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "truncate") continue;
      for (const t of m.tables) {
        const { severity, note } = dropContext(ctx.lossOrigin("table", t, a.index));
        const lock =
          ctx.dialect === "mysql"
            ? " MySQL implements it as drop-and-recreate, so it also commits implicitly."
            : ctx.dialect === "clickhouse"
              ? ""
              : " It also takes an ACCESS EXCLUSIVE lock on the table.";
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `TRUNCATE ${displayName(t)} deletes every row of the table; the data cannot be restored by rolling back the migration.${lock}${note}`,
        });
      }
    }
  },
});

/**
 * MySQL ALTER TABLE actions that delete rows without a TRUNCATE statement: DROP PARTITION and
 * TRUNCATE PARTITION delete the partitions' rows, DISCARD TABLESPACE deletes the table's (or the
 * partitions') data file, ENGINE = BLACKHOLE keeps no row, ENGINE = MEMORY none past a restart.
 */
function partitionLoss(action: AlterAction): { label: string; effect: string } | null {
  if (action.type !== "other") return null;
  const detail = action.detail.toUpperCase();
  if (detail.startsWith("DROP PARTITION"))
    return { label: "DROP PARTITION", effect: "deletes every row stored in those partitions" };
  // ALTER TABLE's only TRUNCATE and DISCARD actions (the detail is cut at 60 characters).
  if (action.option === "TRUNCATE")
    return { label: "TRUNCATE PARTITION", effect: "deletes every row of those partitions" };
  // An engine that keeps no rows: the copy into it keeps none either.
  if (action.option === "ENGINE" && action.value === "BLACKHOLE")
    return {
      label: "ENGINE = BLACKHOLE",
      effect: "copies the table into an engine that stores nothing: every row is discarded",
    };
  if (action.option === "ENGINE" && (action.value === "MEMORY" || action.value === "HEAP"))
    return {
      label: `ENGINE = ${action.value}`,
      effect: "moves every row into memory only: they are lost at the next server restart",
    };
  if (action.option === "DISCARD")
    return {
      label: "DISCARD TABLESPACE",
      effect:
        "deletes the table's data file (.ibd), and with it every row, until a tablespace is imported",
    };
  return null;
}

/**
 * ClickHouse ALTER TABLE actions that delete rows or values: partitions and parts dropped,
 * replaced or moved to another table, a column's values cleared, a TTL (rows past it are deleted
 * at the next merge). `option` holds the action's first keywords.
 */
function clickhousePartitionLoss(action: AlterAction): { label: string; effect: string } | null {
  if (action.type !== "other" || !action.option) return null;
  const o = action.option;
  const starts = (p: string) => o === p || o.startsWith(`${p} `);
  if (starts("DROP PARTITION") || starts("DROP PART") || starts("DROP DETACHED"))
    return { label: o, effect: "deletes every row stored in that partition or part" };
  if (starts("REPLACE PARTITION"))
    return {
      label: "REPLACE PARTITION",
      effect: "replaces the partition's rows with another table's",
    };
  if (starts("MOVE PARTITION") || starts("MOVE PART"))
    return {
      label: o,
      effect: "moves the partition's rows out of the table (to another table or disk)",
    };
  if (starts("CLEAR COLUMN"))
    return {
      label: "CLEAR COLUMN",
      effect: "resets the column to its default in every row of the partition",
    };
  if (starts("MODIFY TTL") || starts("TTL"))
    return { label: "MODIFY TTL", effect: "deletes every row past the new TTL at the next merge" };
  return null;
}
