/**
 * CockroachDB: `ALTER TABLE users SET (ttl_expire_after = '1 minute')` turns on row-level TTL, and
 * a background job then deletes every row older than a minute — all of them — from then on. Read
 * as an unremarkable storage-parameter change (Postgres' SET (…)): lint passed with no finding,
 * and `required: risky` asked for no DBA. (There is no CockroachDB sandbox: replay-skipped is a
 * notice.)
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: cockroachdb\napproval:\n  required: risky\n  teams: [dba]\n";

const cases: Array<[string, string]> = [
  ["ttl_expire_after", "ALTER TABLE users SET (ttl_expire_after = '1 minute');\n"],
  [
    "ttl_expiration_expression, beside another option",
    "ALTER TABLE users SET (ttl_job_cron = '@hourly', ttl_expiration_expression = 'now()');\n",
  ],
];

describe("CockroachDB: row-level TTL on a live table", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql": "SET lock_timeout = '2s';\n" + sql,
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("truncate-table");
  });

  test("other storage parameters, and TTL on a table the change creates, are not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "ALTER TABLE users SET (fillfactor = 90);\n" +
          "CREATE TABLE sessions (id bigint PRIMARY KEY, at timestamptz);\n" +
          "ALTER TABLE sessions SET (ttl_expire_after = '30 days');\n",
        "migrations/000003_x.down.sql": "DROP TABLE sessions;\n",
      },
      { config: CONFIG },
    );
    expect(r.report.findings.filter((f: any) => f.ruleId === "truncate-table")).toEqual([]);
  });
});
