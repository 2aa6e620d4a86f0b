import { displayName, type AlterAction, type StatementModel } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type Analyzed } from "./types.js";

const meta = ruleMeta({
  id: "non-idempotent-non-transactional",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql"],
  category: "transaction",
  description:
    "A statement that stays applied when the migration fails — CREATE INDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY, MySQL DDL, any statement in x-multi-statement mode — has no IF [NOT] EXISTS, so rerunning the migration after the failure fails on it and the version stays dirty.",
  saferAlternative:
    "Write the statement so it can run twice (CREATE … IF NOT EXISTS, DROP … IF EXISTS, ADD COLUMN IF NOT EXISTS), or give it a migration file of its own.",
  suppressible: true,
});

/**
 * golang-migrate marks the version dirty when a file fails and, once forced back, reruns the whole
 * file. Inside a transaction nothing of a failed file stays; outside one (MySQL, which commits
 * every DDL statement; Postgres with x-multi-statement; a lone non-transactional statement) what
 * succeeded stays, and the rerun meets it again.
 */
export const nonIdempotentNonTransactional = sqlRule({
  meta,
  check(ctx, report) {
    const pg = ctx.dialect === "postgres";
    // Each statement commits on its own: MySQL (golang-migrate sends the file without a
    // transaction) and Postgres in x-multi-statement mode.
    const autocommit = ctx.dialect === "mysql" || (pg && ctx.multiStatement);
    const top = ctx.parsed.filter((a) => !a.nested);
    const statements = ctx.statements.filter((s) => s.model?.kind !== "transaction");
    for (const a of top) {
      const m = a.model;
      // BEGIN … COMMIT protects Postgres statements; MySQL commits implicitly around each DDL
      // statement, so its transaction rolls back nothing the rule is about.
      if (ctx.inExplicitTransaction(a.index) && (pg || !m.ddl)) continue;
      const alone = statements.length === 1;
      // A failure of the statement itself leaves something behind (Postgres).
      const partial = pg && (alone || autocommit) ? leavesPartial(m) : null;
      if (partial) {
        report({ ...ctx.at(a), message: partial });
        continue;
      }
      if (!autocommit) continue;
      const later = top.find((b) => b.index > a.index && b.model.kind !== "transaction");
      if (!later) continue;
      const why = nonIdempotent(m, ctx.dialect === "mysql");
      if (!why) continue;
      const mode =
        ctx.dialect === "mysql"
          ? "MySQL commits it at once (DDL cannot be rolled back)"
          : "in x-multi-statement mode it commits on its own";
      report({
        ...ctx.at(a),
        message: `${why}, and ${mode}. If a later statement fails (line ${laterLine(later)}), golang-migrate marks the version dirty; rerunning the file after the fix fails here because it already ran.`,
      });
    }
  },
});

function laterLine(b: Analyzed): number {
  return b.stmt.startLine;
}

/** Why a failure of this statement alone leaves state that makes a rerun fail (Postgres). */
function leavesPartial(m: StatementModel): string | null {
  if (m.kind === "create-index" && m.concurrently && !m.ifNotExists) {
    const name = m.name ? displayName(m.name) : "the index";
    return `CREATE INDEX CONCURRENTLY runs outside a transaction: if it fails (a duplicate for a UNIQUE index, a deadlock, a timeout), ${name} stays behind as an INVALID index, golang-migrate marks the version dirty, and rerunning the file fails with "relation already exists".`;
  }
  if (m.kind === "alter-table") {
    const d = m.actions.find((x) => x.type === "detach-partition" && x.concurrently);
    if (d && d.type === "detach-partition")
      return `DETACH PARTITION … CONCURRENTLY runs in two transactions: if the second one fails or is cancelled, ${displayName(d.partition)} stays half-detached, golang-migrate marks the version dirty, and rerunning the file fails ("partition is already pending detach") until someone runs ALTER TABLE ${displayName(m.table)} DETACH PARTITION ${displayName(d.partition)} FINALIZE.`;
  }
  return null;
}

/** Why running this statement a second time fails; null when it can run twice or is unknown. */
function nonIdempotent(m: StatementModel, mysql: boolean): string | null {
  switch (m.kind) {
    case "create-table":
      return m.ifNotExists || m.temporary
        ? null
        : `CREATE TABLE ${displayName(m.table)} has no IF NOT EXISTS`;
    case "create-index":
      return m.ifNotExists
        ? null
        : `CREATE INDEX ${m.name ? `${displayName(m.name)} ` : ""}has no IF NOT EXISTS`;
    case "drop":
      return m.ifExists
        ? null
        : `DROP ${m.objectLabel} ${m.names.map(displayName).join(", ")} has no IF EXISTS`;
    case "create-schema":
      return m.ifNotExists ? null : `CREATE SCHEMA ${m.name} has no IF NOT EXISTS`;
    case "alter-enum":
      return m.action === "add-value" && !m.ifNotExists
        ? `ALTER TYPE ${displayName(m.name)} ADD VALUE has no IF NOT EXISTS`
        : null;
    case "rename-tables":
      return `RENAME TABLE ${m.renames.map((r) => displayName(r.from)).join(", ")} fails once the table has its new name`;
    case "alter-table": {
      const bad = m.actions.map((x) => actionProblem(x, mysql)).find((x) => x !== null);
      return bad ? `ALTER TABLE ${displayName(m.table)}: ${bad}` : null;
    }
    default:
      return null;
  }
}

function actionProblem(x: AlterAction, mysql: boolean): string | null {
  switch (x.type) {
    case "add-column":
      return x.ifNotExists
        ? null
        : `ADD COLUMN ${x.column.name} has no IF NOT EXISTS${mysql ? " (MySQL has none; MariaDB does)" : ""}`;
    case "drop-column":
      return x.ifExists ? null : `DROP COLUMN ${x.column} has no IF EXISTS`;
    case "drop-constraint":
      return x.ifExists ? null : `DROP CONSTRAINT ${x.name} has no IF EXISTS`;
    case "add-constraint":
      return `ADD CONSTRAINT${x.constraint.name ? ` ${x.constraint.name}` : ""} fails once the constraint exists`;
    case "rename-column":
      return `RENAME COLUMN ${x.from} fails once the column has its new name`;
    case "rename-table":
      return `RENAME TO ${displayName(x.to)} fails once the table has its new name`;
    case "rename-constraint":
      return `RENAME CONSTRAINT ${x.from} fails once the constraint has its new name`;
    default:
      // SET/DROP NOT NULL, defaults, TYPE, VALIDATE: the same result when run again.
      return null;
  }
}
