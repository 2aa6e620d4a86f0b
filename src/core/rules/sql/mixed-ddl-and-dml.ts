import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { transactionOf } from "./lock-held-across-statements.js";
import { PARSED_DIALECTS, sqlRule, type Analyzed } from "./types.js";

/**
 * A schema change and a data change (a backfill) of the same existing table in one transaction
 * (Postgres, CockroachDB, SQLite: the file's, or a BEGIN … COMMIT block) or one file (MySQL, where
 * each DDL commits on its own). Tables the change created hold no deployed rows and are skipped;
 * a backfill of another table while a lock is held is `lock-held-across-statements`' finding.
 */
const meta = ruleMeta({
  id: "mixed-ddl-and-dml",
  defaultSeverity: "warning",
  dialects: PARSED_DIALECTS,
  category: "locking",
  description:
    "Schema change and backfill of the same existing table in one transaction or file: the backfill runs under the DDL's lock, and a failed backfill undoes (or, in MySQL, strands) the schema change.",
  saferAlternative:
    "Ship the schema change alone; backfill in a separate migration (or a background job), in batches, outside the DDL's transaction; add constraints that need the data (SET NOT NULL) in a third one.",
  suppressible: true,
});

export const mixedDdlAndDml = sqlRule({
  meta,
  check(ctx, report) {
    const mysql = ctx.dialect === "mysql";
    const ddl: Array<{ a: Analyzed; table: ObjectName; seg: number }> = [];
    const dml: Array<{ a: Analyzed; table: ObjectName; seg: number }> = [];
    for (const a of ctx.parsed) {
      const seg = mysql ? 0 : transactionOf(ctx, a.index);
      if (seg === null) continue;
      const existing = (t: ObjectName) => ctx.origin("table", t, a.index) === null;
      for (const t of changedTables(a)) if (existing(t)) ddl.push({ a, table: t, seg });
      for (const t of backfilled(a)) if (existing(t)) dml.push({ a, table: t, seg });
    }
    const reported: ObjectName[] = [];
    for (const d of dml) {
      const schema = ddl.find((x) => x.seg === d.seg && sameObject(x.table, d.table));
      if (!schema || reported.some((t) => sameObject(t, d.table))) continue;
      reported.push(d.table);
      const name = displayName(d.table);
      const line = schema.a.nested
        ? ctx.lines(schema.a.nested.span).startLine
        : schema.a.stmt.startLine;
      const after = schema.a.index < d.a.index;
      report({
        ...ctx.at(d.a),
        message: mysql
          ? `This backfill of ${name} shares its migration with a schema change of it (line ${line}). MySQL commits the DDL on its own, so if the backfill fails the schema change stays applied, the version is marked dirty and the file cannot simply be rerun; a large single-statement backfill also holds its row locks and undo until it ends.`
          : `This backfill of ${name} runs in the same transaction as a schema change of it (line ${line}): ${ctx.dialect === "sqlite" ? "the database's write lock is held until both have finished, blocking every other writer" : after ? "the DDL's lock stays held until the backfill has rewritten every row, blocking all other queries on the table" : "its row locks are held while the DDL waits for its own lock, and the DDL then holds that lock until commit"}, and if either fails, both are rolled back.`,
      });
    }
  },
});

/** Existing-table rows a statement rewrites in bulk: UPDATE, DELETE, INSERT … SELECT. */
function backfilled(a: Analyzed): ObjectName[] {
  const m = a.model;
  if ((m.kind === "update" || m.kind === "delete") && m.table) return [m.table];
  if ((m.reads ?? []).length > 0) return m.writes ?? [];
  return [];
}

/**
 * Tables whose definition a statement changes under a lock: what it locks strongly, and the
 * table of an ALTER TABLE or a plain CREATE INDEX (SQLite, which locks the whole database, names
 * no table locks).
 */
function changedTables(a: Analyzed): ObjectName[] {
  const m = a.model;
  if (!m.ddl) return [];
  const out = [...m.strongLocks];
  if (m.kind === "alter-table") out.push(m.table);
  if (m.kind === "create-index" && !m.concurrently) out.push(m.table);
  return out;
}
