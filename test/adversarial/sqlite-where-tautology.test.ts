/**
 * SQLite: WHERE clauses that look like filters but select every row, which the Postgres reader
 * already saw through (pg-where-tautology): `rowid` (or `_rowid_`, `oid`) IS NOT NULL, a
 * condition OR its opposite, `COALESCE(x, 1) = COALESCE(x, 1)`, the row's key among the table's
 * own keys. And the primary key IS NOT NULL, which no reader saw through (every row, as the
 * merged schema tells). dml-without-where took them for real filters: no finding, no approval
 * required, every row deleted or rewritten.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: sqlite\napproval:\n  required: risky\n  teams: [dba]\n";
const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

const cases: Array<[string, string]> = [
  ["rowid IS NOT NULL", "DELETE FROM users WHERE rowid IS NOT NULL;\n"],
  ["_rowid_ IS NOT NULL", "UPDATE users SET email = NULL WHERE _rowid_ IS NOT NULL;\n"],
  ["oid, qualified, NOT … IS NULL", "DELETE FROM users WHERE NOT users.oid IS NULL;\n"],
  ["IS NULL OR IS NOT NULL", "DELETE FROM users WHERE email IS NULL OR email IS NOT NULL;\n"],
  ["a comparison OR its opposite", "UPDATE users SET email = '' WHERE id > 0 OR id <= 0;\n"],
  [
    "COALESCE compared with itself",
    "DELETE FROM users WHERE COALESCE(email, 1) = COALESCE(email, 1);\n",
  ],
  ["a self-comparison AND a constant", "DELETE FROM users WHERE id IS id AND 1 = 1;\n"],
  ["BETWEEN the value and itself", "DELETE FROM users WHERE id BETWEEN id AND id;\n"],
  ["the table's own ids", "DELETE FROM users WHERE id IN (SELECT id FROM users);\n"],
  [
    "the table's own ids under an alias",
    "DELETE FROM users WHERE id IN (SELECT u.id FROM users u);\n",
  ],
  [
    "constants still",
    "DELETE FROM users WHERE NOT (1 = 0) AND 'a' = 'a' AND 2 > 1 AND 1 IN (1);\n",
  ],
  ["the primary key IS NOT NULL", "DELETE FROM users WHERE id IS NOT NULL;\n"],
];

describe("SQLite: tautological WHERE clauses", () => {
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
          "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE email = '');\n" +
          "UPDATE users SET email = lower(email) WHERE lower(email) <> email;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expect(ids(r)).not.toContain("dml-without-where");
  });
});
