/**
 * ClickHouse (token reader, generic rules): ways to delete or rewrite every row that no rule read.
 * ClickHouse's DELETE and UPDATE always have a WHERE, so `WHERE 1` is how every row goes — as a
 * mutation (`ALTER TABLE t DELETE WHERE 1`) or a lightweight `DELETE FROM t WHERE 1`, and
 * dml-without-where did not run for ClickHouse at all. Partition actions (DROP/REPLACE/MOVE
 * PARTITION, DROP DETACHED), CLEAR COLUMN and a TTL delete rows as ALTER TABLE actions read as
 * `other`; CREATE OR REPLACE TABLE drops the old table; EXCHANGE TABLES swaps two tables' names.
 * Each passed lint with no finding and no approval.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: clickhouse\napproval:\n  required: risky\n  teams: [dba]\n";

const cases: Array<[string, string, string]> = [
  ["a mutation deleting WHERE 1", "ALTER TABLE users DELETE WHERE 1;\n", "dml-without-where"],
  [
    "a mutation deleting WHERE id = id",
    "ALTER TABLE users DELETE WHERE id = id;\n",
    "dml-without-where",
  ],
  [
    "a mutation updating every row, after other assignments",
    "ALTER TABLE users UPDATE email = '', id = id WHERE 1 = 1;\n",
    "dml-without-where",
  ],
  ["a lightweight DELETE WHERE true", "DELETE FROM users WHERE true;\n", "dml-without-where"],
  ["a lightweight DELETE … OR 1", "DELETE FROM users WHERE id = 5 OR 1;\n", "dml-without-where"],
  ["DROP PARTITION", "ALTER TABLE users DROP PARTITION '2020';\n", "truncate-table"],
  [
    "DROP PARTITION behind a comment",
    "ALTER TABLE users DROP /* x */ PARTITION tuple();\n",
    "truncate-table",
  ],
  [
    "REPLACE PARTITION",
    "ALTER TABLE users REPLACE PARTITION '2020' FROM orders;\n",
    "truncate-table",
  ],
  [
    "MOVE PARTITION TO TABLE",
    "ALTER TABLE users MOVE PARTITION '2020' TO TABLE orders;\n",
    "truncate-table",
  ],
  ["CLEAR COLUMN", "ALTER TABLE users CLEAR COLUMN email IN PARTITION '2020';\n", "truncate-table"],
  [
    "MODIFY TTL in the past",
    "ALTER TABLE users MODIFY TTL toDateTime('2000-01-01');\n",
    "truncate-table",
  ],
  [
    "CREATE OR REPLACE TABLE",
    "CREATE OR REPLACE TABLE users (id UInt64, email String) ENGINE = MergeTree ORDER BY id;\n",
    "drop-table",
  ],
  ["EXCHANGE TABLES", "EXCHANGE TABLES users AND orders;\n", "rename-table"],
];

describe("ClickHouse: rows deleted or rewritten with no finding", () => {
  test.each(cases)("%s", async (_name, sql, rule) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain(rule);
  });

  test("filtered mutations and deletes, and partition maintenance that keeps rows, are not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "ALTER TABLE users DELETE WHERE id = 5;\n" +
          "ALTER TABLE users UPDATE email = lower(email) WHERE id IN (1, 2, 3);\n" +
          "DELETE FROM users WHERE email = '' OR id < 0;\n" +
          "ALTER TABLE users MATERIALIZE INDEX idx;\n" +
          "ALTER TABLE users FREEZE PARTITION '2020';\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    const ids = r.report.findings.map((f: any) => f.ruleId);
    expect(ids).not.toContain("dml-without-where");
    expect(ids).not.toContain("truncate-table");
  });
});
