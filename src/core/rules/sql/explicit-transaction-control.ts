import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, type Analyzed, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "explicit-transaction-control",
  defaultSeverity: "warning",
  dialects: PARSED_DIALECTS,
  category: "transaction",
  description:
    "BEGIN/COMMIT/ROLLBACK inside a migration file fight golang-migrate's own transaction handling.",
  saferAlternative:
    "Remove the transaction statements and let golang-migrate run the file (Postgres and SQLite already run each file in one transaction); split work that must commit separately into separate migration files.",
  suppressible: true,
});

export const explicitTransactionControl = sqlRule({
  meta,
  check(ctx, report) {
    const tx = ctx.parsed.filter((a) => a.model.kind === "transaction" && !a.nested);
    if (tx.length === 0) return;
    const pgLike = ctx.dialect === "postgres" || ctx.dialect === "cockroachdb";
    if (ctx.dialect === "mysql" && !ctx.parsed.some((a) => a.model.ddl && !a.nested)) return; // DML-only: a real transaction
    const wraps = wrapsWholeFile(ctx, tx);
    if (pgLike && ctx.multiStatement && wraps) return; // the way to get atomicity with x-multi-statement
    for (const a of tx) {
      const word = keyword(a.stmt.split.text);
      let message: string;
      let severity: "error" | "notice" | undefined;
      if (ctx.dialect === "sqlite") {
        severity = "error";
        message = `${word}: golang-migrate's SQLite drivers already wrap each migration file in a transaction, so ${word === "BEGIN" ? 'BEGIN fails with "cannot start a transaction within a transaction"' : "this ends golang-migrate's transaction early and its own COMMIT then fails"}.`;
      } else if (ctx.dialect === "mysql") {
        message = `${word}: MySQL commits implicitly before and after every DDL statement, so a transaction cannot make this migration atomic; a failure halfway still leaves the earlier statements applied.`;
      } else if (ctx.multiStatement) {
        message = `${word} does not pair up with the rest of the file: a transaction left open (or a COMMIT with no BEGIN) leaves the migration half applied or holding its locks.`;
      } else if (wraps) {
        severity = "notice";
        message = `${word} is redundant: golang-migrate already runs this whole file as one transaction on Postgres.`;
      } else {
        message = `${word} splits golang-migrate's single transaction for this file: statements after a COMMIT run outside it, so a failure leaves the migration partly applied and the version dirty.`;
      }
      report({ ...ctx.at(a), ...(severity ? { severity } : {}), message });
    }
  },
});

/** BEGIN is the first statement, COMMIT the last, and nothing else controls the transaction. */
function wrapsWholeFile(ctx: SqlRuleContext, tx: Analyzed[]): boolean {
  const all = ctx.statements;
  return (
    tx.length === 2 &&
    tx[0]!.index === 0 &&
    tx[1]!.index === all.length - 1 &&
    tx[0]!.model.kind === "transaction" &&
    tx[0]!.model.action === "begin" &&
    tx[1]!.model.kind === "transaction" &&
    tx[1]!.model.action === "commit"
  );
}

/** `BEGIN`, `START TRANSACTION`, `COMMIT`…: how the statement is written, for messages. */
function keyword(text: string): string {
  const words = text
    .trim()
    .split(/\s+/, 2)
    .map((w) => w.toUpperCase());
  return words[0] === "START" ? words.join(" ") : words[0]!;
}
