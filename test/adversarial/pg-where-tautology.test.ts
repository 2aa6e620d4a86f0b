/**
 * WHERE clauses that look like filters but select every row. dml-without-where treats any
 * unqualified column reference as "refers to the target row" (src/core/sql/parse/where.ts,
 * pgMentionsRow), so a condition over a joined constant, a system column that is never NULL, or
 * membership of the table in itself passes as a real filter: lint passes, no approval required,
 * every row is deleted or rewritten. (Also: writes to pg_catalog are not reported at all.)
 */
import { describe, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const cases: Array<[string, string]> = [
  ["the table's own ids", "DELETE FROM users WHERE id IN (SELECT id FROM users);\n"],
  ["a system column that is never NULL", "DELETE FROM users WHERE ctid IS NOT NULL;\n"],
  [
    "a condition only on a joined constant row",
    "UPDATE users SET email = NULL FROM (SELECT 1 AS k) s WHERE k = 1;\n",
  ],
  [
    "EXISTS of the row itself",
    "DELETE FROM users u WHERE EXISTS (SELECT 1 FROM users v WHERE v.id = u.id);\n",
  ],
  ["a condition true for every non-NULL id", "DELETE FROM users WHERE id > 0 OR id <= 0;\n"],
  ["IS NULL OR IS NOT NULL", "DELETE FROM users WHERE id IS NULL OR id IS NOT NULL;\n"],
  [
    "an upsert of every row onto itself",
    "INSERT INTO users (id) SELECT id FROM users ON CONFLICT (id) DO UPDATE SET email = NULL;\n",
  ],
  [
    "MERGE of the table with itself",
    "MERGE INTO users u USING users s ON u.id = s.id WHEN MATCHED THEN DELETE;\n",
  ],
  [
    "a catalog write that drops a column behind Postgres' back",
    "UPDATE pg_catalog.pg_attribute SET attisdropped = true WHERE attrelid = 'users'::regclass AND attname = 'email';\n",
  ],
];

describe("tautological WHERE clauses", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      {
        "migrations/000003_purge.up.sql": sql,
        "migrations/000003_purge.down.sql": "SELECT 1;\n",
      },
      { replay: false },
    );
    expectGated(r);
  });
});
