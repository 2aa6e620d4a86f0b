/**
 * Postgres statements that copy or rewrite a whole existing relation under ACCESS EXCLUSIVE:
 * `SET TABLESPACE` (tables, indexes, materialized views, `ALL IN TABLESPACE`) and
 * `SET ACCESS METHOD`. Read as `other`, they had no static finding (require-lock-timeout aside,
 * which `SET lock_timeout` silences; ALTER INDEX and ALL IN TABLESPACE had none at all): with the
 * replay off, `required: risky` asked for no DBA. vacuum-full-or-cluster (the rule of the other
 * full-table rewrites) reports the moves, set-access-method (catalog §7.2) the access method.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const PRE = "SET lock_timeout = '2s';\n";
const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

const cases: Array<[string, string, string]> = [
  [
    "table SET TABLESPACE",
    "ALTER TABLE users SET TABLESPACE pg_default;\n",
    "vacuum-full-or-cluster",
  ],
  [
    "index SET TABLESPACE",
    "ALTER INDEX users_pkey SET TABLESPACE pg_default;\n",
    "vacuum-full-or-cluster",
  ],
  [
    "ALL IN TABLESPACE",
    "ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE pg_default;\n",
    "vacuum-full-or-cluster",
  ],
  [
    "ALL IN TABLESPACE for indexes, OWNED BY, NOWAIT",
    "ALTER INDEX ALL IN TABLESPACE pg_default OWNED BY CURRENT_USER SET TABLESPACE pg_default NOWAIT;\n",
    "vacuum-full-or-cluster",
  ],
  ["SET ACCESS METHOD", "ALTER TABLE users SET ACCESS METHOD heap;\n", "set-access-method"],
  [
    "SET ACCESS METHOD behind a harmless action",
    "ALTER TABLE users ALTER COLUMN email SET STATISTICS 100, SET ACCESS METHOD heap;\n",
    "set-access-method",
  ],
];

describe("Postgres: a full copy of an existing relation under ACCESS EXCLUSIVE (replay off)", () => {
  test.each(cases)("%s", async (_name, sql, rule) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": PRE + sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { replay: false },
    );
    expectGated(r);
    expect(ids(r)).toContain(rule);
  });

  test("a table the change creates is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          PRE +
          "CREATE TABLE t (id bigint);\n" +
          "CREATE INDEX t_id ON t (id);\n" +
          "ALTER TABLE t SET TABLESPACE pg_default, SET ACCESS METHOD heap;\n" +
          "ALTER INDEX t_id SET TABLESPACE pg_default;\n",
        "migrations/000003_x.down.sql": "DROP TABLE t;\n",
      },
      { replay: false },
    );
    expect(ids(r)).not.toContain("vacuum-full-or-cluster");
    expect(ids(r)).not.toContain("set-access-method");
  });
});
