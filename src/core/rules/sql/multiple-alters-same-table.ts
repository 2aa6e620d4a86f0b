import { displayName, sameObject, type AlterAction, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type Analyzed } from "./types.js";

const meta = ruleMeta({
  id: "multiple-alters-same-table",
  defaultSeverity: "notice",
  dialects: ["postgres", "mysql"],
  category: "locking",
  description:
    "Several ALTER TABLE statements in a row on the same existing table, where one ALTER TABLE with comma-separated actions would do: each one waits for the table's lock again (Postgres: ACCESS EXCLUSIVE in the lock queue; MySQL: a metadata lock and, for a rebuild, another pass over every row).",
  saferAlternative:
    "Combine them into one ALTER TABLE with the actions separated by commas, so the table is locked (and, where needed, rebuilt) once.",
  suppressible: true,
});

export const multipleAltersSameTable = sqlRule({
  meta,
  check(ctx, report) {
    // Runs of top-level ALTER TABLE statements with nothing else between them: a statement of
    // another kind (a backfill, an index) may need the earlier ALTER done, so it ends the run.
    let run: Analyzed[] = [];
    const flush = () => {
      const done = new Set<Analyzed>();
      for (const first of run) {
        if (done.has(first)) continue;
        const t = tableOf(first);
        const same = run.filter((b) => sameObject(tableOf(b), t));
        same.forEach((b) => done.add(b));
        if (same.length < 2 || ctx.isNew("table", t, first.index)) continue;
        const lines = same.map((b) => ctx.at(b).startLine);
        report({
          ...ctx.at(first),
          message: `${same.length} ALTER TABLE statements on ${displayName(t)} one after another (lines ${list(lines)}): ${ctx.dialect === "mysql" ? "MySQL runs each one on its own, taking the table's metadata lock again each time and, for an operation that rebuilds the table, copying every row again" : "each one queues for the table's ACCESS EXCLUSIVE lock again, and one that rewrites or scans the table does it again"}; one ALTER TABLE with comma-separated actions does all of it at once.`,
        });
      }
      run = [];
    };
    let last = -1;
    for (const a of ctx.parsed) {
      if (a.nested) continue; // part of another statement: not one a reviewer can merge
      // A statement that did not parse sits in the gap: it may depend on the earlier ALTER.
      if (a.index !== last + 1) flush();
      last = a.index;
      if (mergeable(a, ctx.dialect)) run.push(a);
      else flush();
    }
    flush();
  },
});

function tableOf(a: Analyzed): ObjectName {
  return (a.model as { table: ObjectName }).table;
}

/**
 * An ALTER TABLE whose actions another one could take. Postgres refuses RENAME, ATTACH and
 * DETACH PARTITION in a list of actions, and a VALIDATE CONSTRAINT is split off on purpose (it
 * scans under a weaker lock); a RENAME next to an action that reuses the old name is left apart
 * in MySQL too. MySQL: an ALGORITHM=/LOCK= clause states what that statement may do, which is
 * often why it stands apart (mysql-table-copy asks for that split); an added foreign key needs
 * a table copy (with foreign_key_checks on), which would turn every action joined to it into
 * one, and MySQL refuses to drop and add a foreign key in one copying statement.
 */
function mergeable(a: Analyzed, dialect: string): boolean {
  const m = a.model;
  if (m.kind !== "alter-table" || m.actions.length === 0) return false;
  if (m.actions.some((x) => SOLO.has(x.type) || (x.type === "other" && SOLO_OTHER.test(x.detail))))
    return false;
  if (dialect !== "mysql") return true;
  return (
    m.algorithm === undefined &&
    m.lock === undefined &&
    !m.actions.some((x) => x.type === "add-constraint" && x.constraint.kind === "foreign-key")
  );
}

const SOLO = new Set<AlterAction["type"]>([
  "rename-column",
  "rename-table",
  "rename-constraint",
  "detach-partition",
  "validate-constraint",
]);
const SOLO_OTHER = /attach|detach|schema/i;

function list(xs: number[]): string {
  return xs.length <= 2
    ? xs.join(" and ")
    : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}
