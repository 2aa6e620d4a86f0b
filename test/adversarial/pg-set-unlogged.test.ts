/**
 * Postgres `ALTER TABLE users SET UNLOGGED`: from then on the table's rows are not in the WAL, so
 * crash recovery empties it and every physical replica has it empty (all rows lost on
 * failover). Read as an `other` action, it had no finding but require-lock-timeout's, which a
 * `SET lock_timeout` silences: with the replay off, `required: risky` asked for no DBA. Rule
 * set-logged-unlogged (catalog §7.2) reports it, and the copy-and-swap rebuild into an UNLOGGED
 * table that does the same (drop-table called it a rebuild: a notice).
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const PRE = "SET lock_timeout = '2s';\n";
const DOWN = PRE + "ALTER TABLE users SET LOGGED;\n";
const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

describe("Postgres: SET UNLOGGED on an existing table (replay off)", () => {
  test.each([
    ["alone", "ALTER TABLE users SET UNLOGGED;\n"],
    ["behind another action", "ALTER TABLE public.users ADD COLUMN note text, SET UNLOGGED;\n"],
    ["in a DO block", "DO $$ BEGIN ALTER TABLE users SET UNLOGGED; END $$;\n"],
    [
      "a rebuild that swaps in an UNLOGGED copy",
      "CREATE UNLOGGED TABLE users_new (id bigint PRIMARY KEY, email text);\n" +
        "INSERT INTO users_new SELECT id, email FROM users;\n" +
        "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n",
    ],
  ])("%s", async (_name, sql) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": PRE + sql, "migrations/000003_x.down.sql": DOWN },
      { replay: false },
    );
    expectGated(r);
    expect(ids(r)).toContain("set-logged-unlogged");
  });

  test("a table the change creates may be unlogged", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          PRE + "CREATE TABLE staging (id bigint);\nALTER TABLE staging SET UNLOGGED;\n",
        "migrations/000003_x.down.sql": "DROP TABLE staging;\n",
      },
      { replay: false },
    );
    expect(ids(r)).not.toContain("set-logged-unlogged");
  });
});
