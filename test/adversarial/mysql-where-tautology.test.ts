/**
 * MySQL: WHERE clauses that look like filters but select every row, which the Postgres reader
 * already saw through (pg-where-tautology): `_rowid` (the integer primary key) IS NOT NULL, a
 * condition OR its opposite, `COALESCE(x, 1) = COALESCE(x, 1)`, the row's key among the table's
 * own keys. And the primary key IS NOT NULL, which no reader saw through (every row, as the
 * merged schema tells). dml-without-where took them for real filters: no finding, no approval
 * required, every row deleted or rewritten. Also through the multi-table DELETE and UPDATE forms.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: mysql\napproval:\n  required: risky\n  teams: [dba]\n";
const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

const cases: Array<[string, string]> = [
  ["_rowid IS NOT NULL", "DELETE FROM users WHERE _rowid IS NOT NULL;\n"],
  ["NOT … IS NULL of _rowid", "UPDATE users SET email = NULL WHERE NOT _rowid IS NULL;\n"],
  ["IS NULL OR IS NOT NULL", "DELETE FROM users WHERE email IS NULL OR email IS NOT NULL;\n"],
  ["a comparison OR its opposite", "UPDATE users SET email = '' WHERE id > 0 OR id <= 0;\n"],
  ["= OR <>", "DELETE FROM users WHERE id = 5 OR id <> 5;\n"],
  [
    "COALESCE compared with itself",
    "DELETE FROM users WHERE COALESCE(email, 1) = COALESCE(email, 1);\n",
  ],
  ["a self-comparison AND a constant", "DELETE FROM users WHERE id = id AND 1 = 1;\n"],
  ["BETWEEN the value and itself", "DELETE FROM users WHERE id BETWEEN id AND id;\n"],
  [
    "the table's own ids, through a derived table",
    "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT id FROM users) x);\n",
  ],
  [
    "multi-table DELETE",
    "DELETE users FROM users JOIN orders ON orders.user_id = users.id WHERE users.email IS NULL OR users.email IS NOT NULL;\n",
  ],
  [
    "multi-table UPDATE",
    "UPDATE users u JOIN orders o ON o.user_id = u.id SET u.email = NULL WHERE COALESCE(u.email, 1) = COALESCE(u.email, 1);\n",
  ],
  [
    "constants still",
    "DELETE FROM users WHERE NOT (1 = 0) AND 'a' = 'a' AND 2 > 1 AND 1 IN (1);\n",
  ],
  ["the primary key IS NOT NULL", "DELETE FROM users WHERE id IS NOT NULL;\n"],
  [
    "the primary key IS NOT NULL, OR something else",
    "UPDATE users SET email = NULL WHERE email LIKE '%@x' OR NOT users.id IS NULL;\n",
  ],
];

describe("MySQL: tautological WHERE clauses", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { config: CONFIG },
    );
    expectGated(r);
    expect(ids(r)).toContain("dml-without-where");
  });

  test("real filters are not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "DELETE FROM users WHERE email IS NULL OR id > 100;\n" +
          "UPDATE users SET email = NULL WHERE id IN (SELECT user_id FROM orders);\n" +
          "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT id FROM users WHERE email = '') x);\n" +
          "UPDATE users SET email = lower(email) WHERE lower(email) <> email;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expect(ids(r)).not.toContain("dml-without-where");
  });
});
