/**
 * MySQL: a full-table rewrite spelled as an insert. `REPLACE INTO t SELECT … FROM t` deletes and
 * re-inserts every row (children with ON DELETE CASCADE go with them), and `INSERT INTO t SELECT
 * … FROM t ON DUPLICATE KEY UPDATE …` updates every row: each row conflicts with its own copy.
 * The Postgres upsert of a table onto itself was already reported (pg-where-tautology); the
 * node-sql-parser adapter read these as plain inserts, so lint passed with no finding and
 * `required: risky` asked for no DBA. A REPLACE of listed rows stays quiet.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: mysql\napproval:\n  required: risky\n  teams: [dba]\n";

const cases: Array<[string, string]> = [
  ["REPLACE … SELECT from the table itself", "REPLACE INTO users SELECT id, NULL FROM users;\n"],
  [
    "INSERT … SELECT from itself ON DUPLICATE KEY UPDATE",
    "INSERT INTO users (id, email) SELECT id, NULL FROM users ON DUPLICATE KEY UPDATE email = NULL;\n",
  ],
  [
    "REPLACE … SELECT with an alias and a WHERE that is always true",
    "REPLACE INTO users SELECT u.id, '' FROM users u WHERE 1 = 1;\n",
  ],
];

describe("MySQL: REPLACE / ON DUPLICATE KEY UPDATE of a table with its own rows", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("dml-without-where");
  });

  test("a REPLACE of listed rows, or of the rows a real filter selects, is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "REPLACE INTO users (id, email) VALUES (1, 'b@example.com');\n" +
          "REPLACE INTO users SELECT id, lower(email) FROM users WHERE id < 100;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expect(r.report.findings.map((f: any) => f.ruleId)).not.toContain("dml-without-where");
  });
});
