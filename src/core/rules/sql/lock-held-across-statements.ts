import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, timeoutSetting, type Analyzed, type SqlRuleContext } from "./types.js";

/**
 * Postgres keeps every lock until its transaction ends. A strong lock taken early in a
 * golang-migrate file (one implicit transaction) or in a BEGIN … COMMIT block therefore blocks its
 * table for as long as everything after it takes: waiting for another table's lock, a backfill,
 * an index build. This is the static counterpart of the replay's `lock-access-exclusive`, which
 * measures how long locks are held; here only the shape of the transaction is judged.
 *
 * What stays with other rules: a backfill of the locked table itself is `mixed-ddl-and-dml`'s
 * finding, and a second DDL on the same table extends nothing another session could use.
 */
const meta = ruleMeta({
  id: "lock-held-across-statements",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "A transaction takes a strong lock on an existing table, then runs something slow (another table's lock, a backfill, an index build) while still holding it.",
  saferAlternative:
    "One lock-taking DDL per transaction: put each table's DDL, and each backfill or index build, in its own migration file (or its own BEGIN … COMMIT with x-multi-statement).",
  suppressible: true,
});

export const lockHeldAcrossStatements = sqlRule({
  meta,
  check(ctx, report) {
    let segment: number | null = null;
    let held: Array<{ table: ObjectName; label: string; line: number }> = [];
    let reported = false;
    let lockTimeout = false;
    for (const a of ctx.parsed) {
      const set = timeoutSetting(ctx, a, "lock_timeout");
      if (set !== undefined) lockTimeout = set;
      const seg = transactionOf(ctx, a.index);
      if (seg !== segment) {
        segment = seg;
        held = [];
        reported = false;
      }
      if (seg === null) continue; // autocommit: each statement releases its locks at once
      const existing = (t: ObjectName) =>
        ctx.origin("table", t, a.index) === null && ctx.origin("index", t, a.index) === null;
      if (held.length > 0 && !reported) {
        const slow = slowPart(ctx, a, held, existing, lockTimeout);
        if (slow) {
          const first = held[0]!;
          const names = [...new Set(held.map((h) => h.label))].join(", ");
          report({
            ...ctx.at(a),
            message: `${names} ${held.length > 1 ? "were" : "was"} locked strongly earlier in this transaction (line ${first.line}) and ${held.length > 1 ? "stay" : "stays"} locked until it commits, while this statement ${slow}: every query on ${names} waits all that time.`,
          });
          reported = true;
        }
      }
      const index = droppedIndex(a);
      for (const t of a.model.strongLocks)
        if (existing(t) && !held.some((h) => sameObject(h.table, t)))
          held.push({
            table: t,
            label: index ? `the table of index ${displayName(t)}` : displayName(t),
            line: ctx.at(a).startLine,
          });
    }
  },
});

/**
 * The transaction statement `index` runs in (null: none, it commits on its own). golang-migrate
 * sends a Postgres file as one query: one implicit transaction, which a COMMIT or ROLLBACK in the
 * file ends (the statements after it start another one). With x-multi-statement only BEGIN …
 * COMMIT blocks are transactions.
 */
export function transactionOf(ctx: SqlRuleContext, index: number): number | null {
  const top = Math.floor(index);
  if (!ctx.fileTransaction && !ctx.inExplicitTransaction(top)) return null;
  let n = 0;
  for (let i = 0; i < top; i++) {
    const m = ctx.statements[i]?.model;
    if (m?.kind !== "transaction") continue;
    if (m.action === "commit" || m.action === "rollback" || m.action === "begin") n++;
  }
  return n;
}

/** What statement `a` does that takes time while `held` stays locked ("" when nothing). */
function slowPart(
  ctx: SqlRuleContext,
  a: Analyzed,
  held: ReadonlyArray<{ table: ObjectName }>,
  existing: (t: ObjectName) => boolean,
  lockTimeout: boolean,
): string {
  const m = a.model;
  const isHeld = (t: ObjectName) => held.some((h) => sameObject(h.table, t));
  if (m.kind === "create-index" && !m.concurrently && existing(m.table))
    return `builds an index on ${displayName(m.table)} (it reads every row)`;
  if ((m.kind === "update" || m.kind === "delete") && m.table && !isHeld(m.table)) {
    if (existing(m.table))
      return `${m.kind === "update" ? "rewrites" : "deletes"} rows of ${displayName(m.table)}`;
  }
  if ((m.reads ?? []).length > 0) {
    const into = (m.writes ?? []).find((w) => !isHeld(w) && existing(w));
    if (into) return `copies rows into ${displayName(into)}`;
  }
  if (lockTimeout) return ""; // a lock wait is bounded: the migration fails and is retried
  // DROP INDEX locks the index's table, which the text does not name: it may be a held one.
  if (droppedIndex(a)) return "";
  const other = m.strongLocks.find((t) => !isHeld(t) && existing(t));
  if (other)
    return `waits for a lock on ${displayName(other)}, behind any long query there (no lock_timeout is set)`;
  return "";
}

/** DROP INDEX, whose strong locks name indexes rather than their tables. */
function droppedIndex(a: Analyzed): boolean {
  return a.model.kind === "drop" && a.model.objectType === "index";
}
