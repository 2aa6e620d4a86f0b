/**
 * SQLite: `PRAGMA writable_schema = ON` then a DELETE (or UPDATE) of sqlite_master/sqlite_schema
 * drops (or redefines) a table behind SQLite's back: every connection opened afterwards no longer
 * sees it or its rows (checked with sql.js: "no such table: users" after a reopen). Writes to
 * Postgres's catalog were already an error; SQLite's schema table was not looked at, and a
 * `WHERE name = 'users'` is a real filter, so lint passed with no finding. The down recreates
 * the table, so the replay's schema comparison has nothing to say either.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: sqlite\napproval:\n  required: risky\n  teams: [dba]\n";
const DOWN = "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);\n";

const cases: Array<[string, string]> = [
  [
    "DELETE FROM sqlite_master",
    "PRAGMA writable_schema = ON;\nDELETE FROM sqlite_master WHERE name = 'users';\n",
  ],
  [
    "UPDATE main.sqlite_schema",
    "PRAGMA writable_schema = 1;\nUPDATE main.sqlite_schema SET sql = replace(sql, 'email text', 'x text') WHERE name = 'users';\n",
  ],
];

describe("SQLite: direct writes to the schema table", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": DOWN },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("dml-without-where");
  });
});
