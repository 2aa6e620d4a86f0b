/**
 * MariaDB: `CREATE OR REPLACE TABLE users (…)` is `DROP TABLE IF EXISTS users` and a CREATE in one
 * statement. The token reader skipped OR REPLACE and read a plain CREATE TABLE: lint passed with
 * no finding and `required: risky` asked for no DBA while every row of users was deleted.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  'directories:\n  - path: migrations\n    dialect: mysql\n    databaseVersion: "10.11"\napproval:\n  required: risky\n  teams: [dba]\n';

describe("MariaDB: CREATE OR REPLACE TABLE over a live table", () => {
  test("replacing users drops its rows", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "CREATE OR REPLACE TABLE users (id bigint PRIMARY KEY, email text);\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("drop-table");
  });

  test("replacing a table created earlier in the change is a notice", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql": "CREATE TABLE scratch (id int);\n",
        "migrations/000003_x.down.sql": "DROP TABLE scratch;\n",
        "migrations/000004_x.up.sql": "CREATE OR REPLACE TABLE scratch (id bigint);\n",
        "migrations/000004_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    const drops = r.report.findings.filter(
      (f: any) => f.ruleId === "drop-table" && f.path === "migrations/000004_x.up.sql",
    );
    expect(drops.map((f: any) => f.severity)).toEqual(["notice"]);
  });
});
