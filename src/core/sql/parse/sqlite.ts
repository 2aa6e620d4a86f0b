/**
 * SQLite: its few ALTER TABLE forms (RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN) and the
 * common DDL node-sql-parser rejects (DROP INDEX, BEGIN, PRAGMA…) through the token reader;
 * everything else through node-sql-parser's sqlite mode. Trigger bodies are read statement by
 * statement.
 */
import { classify } from "./classify.js";
import { withBodies } from "./mysql.js";
import { parseWithNodeSqlParser } from "./nsp.js";
import type { ParseOutcome, StatementInput } from "./types.js";

export function parseSqlite(input: StatementInput): ParseOutcome {
  const model = classify(input, "sqlite");
  if (model) {
    withBodies(model, input, parseSqlite, "sqlite");
    return { ok: true, model, ast: undefined };
  }
  return parseWithNodeSqlParser(input, "sqlite");
}
