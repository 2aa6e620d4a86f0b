import { displayName, type AlterAction, type StatementModel } from "../../sql/model.js";
import {
  ONLINE_DDL,
  mysqlServer,
  rejects,
  support,
  type OnlineOp,
  type Server,
} from "../../sql/mysql-online-ddl.js";
import { ruleMeta } from "../types.js";
import { foreignKeyChecksOff } from "./add-foreign-key-validated.js";
import { sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "mysql-table-copy",
  defaultSeverity: "warning",
  dialects: ["mysql"],
  category: "locking",
  description:
    "An ALTER TABLE operation that MySQL runs as a table copy (ALGORITHM=COPY) or without concurrent writes on an existing table, judged for the configured databaseVersion; an ALGORITHM=/LOCK= clause the server rejects for the operation.",
  saferAlternative:
    "Use an operation the server runs online (ALGORITHM=INSTANT, or ALGORITHM=INPLACE, LOCK=NONE), or an online schema-change tool (gh-ost, pt-online-schema-change) for the rest.",
  suppressible: true,
});

type Alter = Extract<StatementModel, { kind: "alter-table" }>;

export interface Op {
  op: OnlineOp;
  action: AlterAction;
}

export const mysqlTableCopy = sqlRule({
  meta,
  check(ctx, report) {
    const server = mysqlServer(ctx.version, ctx.source.directory.databaseVersion);
    const assumed = server.assumed
      ? " (databaseVersion is not set for this directory, so this is judged for MySQL 5.6, the oldest version with online DDL; set databaseVersion to judge it for your server)"
      : "";
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "alter-table") continue;
      if (ctx.isNew("table", m.table, a.index)) continue;
      const table = displayName(m.table);
      const ops = operations(ctx, a, m);
      const algorithm = m.algorithm === "DEFAULT" ? undefined : m.algorithm;
      const lock = m.lock === "DEFAULT" ? undefined : m.lock;

      // A clause the server rejects: the statement fails, and with it the migration.
      // MODIFY/CHANGE restate the column: without its current definition the rule cannot tell
      // a type change (COPY only) from a rename or a VARCHAR extension (in place), so it never
      // calls a clause on them rejected.
      const certain = ops.filter((o) => o.op !== "change-column-type");
      const refused = [
        ...new Set(certain.map((o) => rejects(o.op, server, algorithm, lock))),
      ].filter((r): r is string => r !== null);
      if (refused.length > 0) {
        report({
          ...ctx.at(a),
          severity: "error",
          message: `${clause(m)} on ${table} is rejected: ${refused.join("; ")}${assumed}. MySQL refuses the statement (ER_ALTER_OPERATION_NOT_SUPPORTED), so the migration fails here; the statements before it in this file stay applied (MySQL DDL is not transactional) and golang-migrate marks the version dirty.`,
          suggestion:
            "Remove the clause, or state one the operation supports (the rule's doc lists them); split operations with different needs into separate ALTER TABLE statements.",
        });
        continue;
      }
      if (algorithm === "COPY" && ops.length > 0) {
        report({
          ...ctx.at(a),
          message: `ALGORITHM=COPY forces MySQL to copy ${table} for ${labels(ops)}: it rebuilds the table row by row and blocks writes until it finishes.`,
          suggestion:
            "Drop ALGORITHM=COPY so the server uses INSTANT or INPLACE where the operation has them, or use gh-ost / pt-online-schema-change.",
        });
        continue;
      }
      if (lock === "SHARED" || lock === "EXCLUSIVE") {
        report({
          ...ctx.at(a),
          message: `LOCK=${lock} on ${table} blocks ${lock === "SHARED" ? "writes" : "reads and writes"} for the whole ${labels(ops) || "operation"}, even where the server could let them continue.`,
          suggestion:
            "Use LOCK=NONE (or no LOCK clause) where the operation allows concurrent writes.",
        });
        continue;
      }
      const online = algorithm === "INPLACE" || algorithm === "INSTANT" || algorithm === "NOCOPY";
      for (const o of ops) {
        // Reported by add-foreign-key-validated, which knows about foreign_key_checks.
        if (o.op === "add-foreign-key") continue;
        if (o.op === "change-column-type" && (online || lock === "NONE")) {
          // The server refuses rather than copies: no outage, but a failed migration.
          report({
            ...ctx.lines(o.action.span, a),
            message: `MODIFY/CHANGE of ${typeNote(o.action)} on ${table} with ${clause(m)}: if this changes the column's type, ${server.label}${assumed} cannot run it that way and refuses the statement, so the migration fails here and the version is left dirty (MySQL DDL is not transactional). Only changes that keep the type (a rename, a default, a VARCHAR extension within the same length-byte size) run in place.`,
            suggestion:
              "Check the column's current definition; for a real type change use gh-ost / pt-online-schema-change or a new column with a backfill.",
          });
          continue;
        }
        const x = support(o.op, server);
        const row = ONLINE_DDL[o.op];
        const later = laterInstant(o.op, server);
        const pk =
          o.op === "add-primary-key"
            ? " (and as a table copy if its columns are nullable and must become NOT NULL)"
            : "";
        const typeCaveat =
          o.op === "change-column-type"
            ? ` MODIFY/CHANGE restates the whole column: unless ${typeNote(o.action)} is exactly the column's current type (a rename or a change of default only), this is a type change.`
            : "";
        if (!x.inplace && !x.instant) {
          report({
            ...ctx.lines(o.action.span, a),
            message: `${row.label} on ${table} runs as a table copy (ALGORITHM=COPY) on ${server.label}${assumed}: MySQL copies every row into a new table and blocks writes to ${table} until it finishes.${typeCaveat}${later}`,
            suggestion: cap(row.alternative),
          });
        } else if (!x.dml) {
          report({
            ...ctx.lines(o.action.span, a),
            message: `${row.label} on ${table} runs in place on ${server.label}${assumed} but does not allow concurrent writes: writes to ${table} wait until it finishes${x.rebuild ? " (it also rebuilds the table)" : ""}.${later}`,
            suggestion: cap(row.alternative),
          });
        } else if (x.rebuild && !x.instant) {
          report({
            ...ctx.lines(o.action.span, a),
            severity: "notice",
            message: `${row.label} on ${table} rebuilds the table in place on ${server.label}${assumed}${pk}: writes continue (LOCK=NONE), but it reads and rewrites every row, and replicas apply it only after the primary has finished (replication lag).${later}`,
            suggestion: cap(row.alternative),
          });
        }
      }
    }
  },
});

/** The online DDL operations of one ALTER TABLE statement. */
export function operations(ctx: SqlRuleContext, a: Analyzed, m: Alter): Op[] {
  const out: Op[] = [];
  const addsPk = m.actions.some(
    (x) =>
      (x.type === "add-constraint" && x.constraint.kind === "primary-key") ||
      (x.type === "add-column" && x.column.primaryKey),
  );
  const dropsPk = m.actions.some((x) => x.type === "drop-constraint" && x.name === "PRIMARY");
  for (const action of m.actions) {
    const push = (op: OnlineOp) => out.push({ op, action });
    switch (action.type) {
      case "add-column": {
        const c = action.column;
        if (c.generated === "auto-increment") push("add-column-auto-increment");
        else if (c.generated === "stored") push("add-column-stored");
        else if (c.generated === "virtual") push("add-column-virtual");
        else push(c.positioned ? "add-column-positioned" : "add-column");
        if (c.primaryKey) push(dropsPk ? "replace-primary-key" : "add-primary-key");
        else if (c.unique) push("add-index");
        break;
      }
      case "drop-column":
        push("drop-column");
        break;
      case "rename-column":
        push("rename-column");
        break;
      case "alter-column-type":
        push("change-column-type");
        break;
      case "set-default":
      case "drop-default":
        push("set-default");
        break;
      case "add-constraint": {
        const k = action.constraint.kind;
        if (k === "primary-key") push(dropsPk ? "replace-primary-key" : "add-primary-key");
        else if (k === "unique") push("add-index");
        else if (k === "foreign-key" && !action.constraint.notEnforced)
          push(
            foreignKeyChecksOff(ctx, a.index) ? "add-foreign-key-checks-off" : "add-foreign-key",
          );
        break;
      }
      case "drop-constraint":
        // MySQL's DROP PRIMARY KEY; with a new key in the same statement it runs in place.
        if (action.name === "PRIMARY" && !addsPk) push("drop-primary-key");
        break;
      case "other": {
        const op = OPTION_OPS[action.option ?? ""];
        if (op) push(op);
        else if (action.option === "ENGINE" && action.value !== undefined)
          push(action.value === "INNODB" ? "null-rebuild" : "change-engine");
        break;
      }
      default:
    }
  }
  return out;
}

const OPTION_OPS: Record<string, OnlineOp> = {
  "ADD INDEX": "add-index",
  "ADD FULLTEXT INDEX": "add-fulltext-index",
  "ADD SPATIAL INDEX": "add-spatial-index",
  "DROP INDEX": "drop-index",
  "RENAME INDEX": "rename-index",
  CONVERT: "convert-charset",
  "CHARACTER SET": "table-charset",
  COLLATE: "table-charset",
  FORCE: "null-rebuild",
  ROW_FORMAT: "row-format",
  KEY_BLOCK_SIZE: "row-format",
  ORDER: "order-by",
};

/** ", but MySQL 8.0.29 runs it with ALGORITHM=INSTANT" when a later version does. */
function laterInstant(op: OnlineOp, server: Server): string {
  const rows = ONLINE_DDL[op][server.engine];
  const now = support(op, server);
  if (now.instant) return "";
  const next = rows.find((r) => r.since !== "" && r.s.instant);
  if (!next) return "";
  const name = server.engine === "mariadb" ? "MariaDB" : "MySQL";
  return ` ${name} ${next.since} and later run it with ALGORITHM=INSTANT.`;
}

function typeNote(action: AlterAction): string {
  return action.type === "alter-column-type" ? `\`${action.dataType}\`` : "the new type";
}

function labels(ops: Op[]): string {
  return [...new Set(ops.map((o) => ONLINE_DDL[o.op].label))].join(", ");
}

function clause(m: Alter): string {
  return [
    m.algorithm !== undefined ? `ALGORITHM=${m.algorithm}` : "",
    m.lock !== undefined ? `LOCK=${m.lock}` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

function cap(s: string): string | undefined {
  return s === "" ? undefined : s[0]!.toUpperCase() + s.slice(1) + ".";
}
