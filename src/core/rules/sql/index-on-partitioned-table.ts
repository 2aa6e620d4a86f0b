import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "index-on-partitioned-table",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "CREATE INDEX on a partitioned table builds the index on every partition under a SHARE lock on each, and CONCURRENTLY is refused there.",
  saferAlternative:
    "CREATE INDEX … ON ONLY the parent (instant, invalid), then CREATE INDEX CONCURRENTLY on each partition and ALTER INDEX parent_idx ATTACH PARTITION partition_idx; the parent's index becomes valid when every partition's is attached.",
  suppressible: true,
});

export const indexOnPartitionedTable = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "create-index" || m.only) continue;
      if (!isPartitioned(ctx, m.table, a.index)) continue;
      const name = m.name ? `${displayName(m.name)} ` : "";
      const head = `CREATE ${m.unique ? "UNIQUE " : ""}INDEX ${m.concurrently ? "CONCURRENTLY " : ""}${name}on partitioned table ${displayName(m.table)}`;
      if (m.concurrently) {
        // Refused whether or not the table holds rows: the migration fails and is left dirty.
        report({
          ...ctx.at(a),
          message: `${head} fails: Postgres cannot build an index concurrently on a partitioned table, and golang-migrate leaves the version dirty.`,
        });
        continue;
      }
      // A table this change created holds no deployed rows: the locks wait for nothing.
      if (ctx.isNew("table", m.table, a.index)) continue;
      report({
        ...ctx.at(a),
        message: `${head} builds the index on every partition in one transaction, holding a SHARE lock on each until the last is done: every INSERT, UPDATE and DELETE on the table waits (CONCURRENTLY is not allowed on a partitioned table).`,
      });
    }
  },
});

/**
 * Known to be partitioned before statement `index`: created with PARTITION BY in this change
 * (the ledger, earlier files too), or so in the merged schema. Unknown: not partitioned.
 */
export function isPartitioned(ctx: SqlRuleContext, table: ObjectName, index: number): boolean {
  const created = ctx.find("table", table, index);
  if (created) return created.partitioned === true;
  if (
    ctx.parsed.some(
      (b) =>
        b.index < index &&
        b.model.kind === "create-table" &&
        b.model.partitioned === true &&
        sameObject(b.model.table, table),
    )
  )
    return true;
  return ctx.schema(index)?.lookup(table).table?.partitioned === true;
}
