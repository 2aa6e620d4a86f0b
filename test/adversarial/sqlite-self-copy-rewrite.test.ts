/**
 * SQLite: a full-table rewrite spelled as an insert. `INSERT OR REPLACE INTO t SELECT … FROM t`
 * (and `REPLACE INTO`) deletes and re-inserts every row; an upsert `INSERT INTO t SELECT … FROM t
 * WHERE true ON CONFLICT DO UPDATE …` (SQLite needs the `WHERE true` to parse it) updates every
 * row. Read as plain inserts before: lint passed, no approval. The sandbox (sql.js) does not see
 * it either: the schema does not change.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: sqlite\napproval:\n  required: risky\n  teams: [dba]\n";

const cases: Array<[string, string]> = [
  [
    "INSERT OR REPLACE … SELECT from itself",
    "INSERT OR REPLACE INTO users SELECT id, NULL FROM users;\n",
  ],
  ["REPLACE … SELECT from itself", "REPLACE INTO users SELECT id, NULL FROM users;\n"],
  [
    "an upsert of the table onto itself",
    "INSERT INTO users SELECT id, NULL FROM users WHERE true ON CONFLICT (id) DO UPDATE SET email = NULL;\n",
  ],
];

describe("SQLite: REPLACE / upsert of a table with its own rows", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("dml-without-where");
  });

  test("an upsert that does nothing on conflict, or copies filtered rows, is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "INSERT INTO users SELECT id, email FROM users WHERE true ON CONFLICT DO NOTHING;\n" +
          "INSERT OR REPLACE INTO users SELECT id, lower(email) FROM users WHERE id < 100;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expect(r.report.findings.map((f: any) => f.ruleId)).not.toContain("dml-without-where");
  });
});
