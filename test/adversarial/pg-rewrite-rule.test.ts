/**
 * Postgres rewrite rules: `CREATE RULE … AS ON INSERT TO users DO INSTEAD NOTHING` makes every
 * later insert succeed and store nothing, and `DO INSTEAD` / `DO ALSO` actions send writes to
 * other tables. No rule read RuleStmt: with the replay off the change had no finding, and
 * `required: risky` asked for no DBA. create-trigger-on-existing-table now makes it a warning.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const PRE = "SET lock_timeout = '2s';\n";
const DOWN = PRE + "DROP RULE IF EXISTS r ON users;\n";
const ids = (r: { report: any }) =>
  (r.report?.findings ?? []).map((f: any) => `${f.ruleId}:${f.severity}`);

const cases: Array<[string, string]> = [
  ["DO INSTEAD NOTHING on INSERT", "CREATE RULE r AS ON INSERT TO users DO INSTEAD NOTHING;\n"],
  [
    "CREATE OR REPLACE, on DELETE, qualified",
    "CREATE OR REPLACE RULE r AS ON DELETE TO public.users DO INSTEAD NOTHING;\n",
  ],
  [
    "only the writes its WHERE matches",
    "CREATE RULE r AS ON UPDATE TO users WHERE new.email IS NOT NULL DO INSTEAD NOTHING;\n",
  ],
  [
    "DO INSTEAD into another table",
    "CREATE RULE r AS ON INSERT TO users DO INSTEAD INSERT INTO orders (id) VALUES (new.id);\n",
  ],
  [
    "DO ALSO a write elsewhere",
    "CREATE RULE r AS ON INSERT TO users DO ALSO UPDATE orders SET user_id = NULL WHERE user_id = new.id;\n",
  ],
  [
    "inside a DO block",
    "DO $$ BEGIN CREATE RULE r AS ON INSERT TO users DO INSTEAD NOTHING; END $$;\n",
  ],
];

describe("Postgres: a rewrite rule that discards or redirects writes (replay off)", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": PRE + sql, "migrations/000003_x.down.sql": DOWN },
      { replay: false },
    );
    expectGated(r);
    expect(ids(r)).toContain("create-trigger-on-existing-table:warning");
  });

  test("a rule on a table or view the change creates is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          PRE +
          "CREATE TABLE audit (id bigint);\n" +
          "CREATE RULE r AS ON INSERT TO audit DO INSTEAD NOTHING;\n" +
          "CREATE VIEW v AS SELECT id, email FROM users;\n" +
          "CREATE RULE w AS ON INSERT TO v DO INSTEAD INSERT INTO users VALUES (new.id, new.email);\n",
        "migrations/000003_x.down.sql": PRE + "DROP VIEW v;\nDROP TABLE audit;\n",
      },
      { replay: false },
    );
    expect(ids(r).filter((x: string) => x.startsWith("create-trigger"))).toEqual([]);
  });
});
