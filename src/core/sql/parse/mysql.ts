/**
 * MySQL and MariaDB: DDL through the token reader (classify.ts, exact action positions), the
 * rest through node-sql-parser in mysql or mariadb mode.
 */
import { classify } from "./classify.js";
import { parseWithNodeSqlParser } from "./nsp.js";
import type { ParseOutcome, ServerVersion, StatementInput } from "./types.js";

export function parseMysql(input: StatementInput, version: ServerVersion | null): ParseOutcome {
  const model = classify(input, "mysql");
  if (model) return { ok: true, model, ast: undefined };
  // MySQL never had a 10.x or later release; MariaDB did (10.x, 11.x).
  return parseWithNodeSqlParser(input, version && version.major >= 10 ? "mariadb" : "mysql");
}
