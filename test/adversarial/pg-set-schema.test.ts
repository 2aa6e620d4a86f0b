/**
 * Postgres: moving a live table out of the name the application uses without RENAME TO.
 * `ALTER TABLE users SET SCHEMA archive` (the application's unqualified `users` no longer
 * resolves; a `CREATE TABLE users` after it is an empty table the application then writes to) and
 * `ALTER SCHEMA public RENAME TO old; CREATE SCHEMA public` (every table at once) were read as
 * unknown statements: no finding. The replay's lock-access-exclusive warning catches SET SCHEMA
 * (ACCESS EXCLUSIVE on users) but not the schema rename, and with the replay off neither.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const PRE = "SET lock_timeout = '2s';\n";

describe("Postgres: a table moved to another schema", () => {
  test("SET SCHEMA (replay off)", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          PRE + "CREATE SCHEMA archive;\nALTER TABLE users SET SCHEMA archive;\n",
        "migrations/000003_x.down.sql":
          PRE + "ALTER TABLE archive.users SET SCHEMA public;\nDROP SCHEMA archive;\n",
      },
      { replay: false },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("rename-table");
  });

  test("the schema renamed and an empty one created in its place (replay on)", async () => {
    const r = await lintAttack({
      "migrations/000003_x.up.sql":
        PRE + "ALTER SCHEMA public RENAME TO old;\nCREATE SCHEMA public;\n",
      "migrations/000003_x.down.sql":
        PRE + "DROP SCHEMA public;\nALTER SCHEMA old RENAME TO public;\n",
    });
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("rename-table");
  });

  test("moving a table the change creates is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "CREATE SCHEMA reporting;\nCREATE TABLE daily (id bigint);\nALTER TABLE daily SET SCHEMA reporting;\n",
        "migrations/000003_x.down.sql": "DROP SCHEMA reporting CASCADE;\n",
      },
      { replay: false },
    );
    expect(r.report.findings.map((f: any) => f.ruleId)).not.toContain("rename-table");
  });
});
