/**
 * MySQL: ALTER TABLE actions that delete rows with no DROP or TRUNCATE statement. DROP PARTITION
 * and TRUNCATE PARTITION delete every row of the partitions named; DISCARD TABLESPACE deletes the
 * table's .ibd file. The token reader read them as table options ("other"), which no data-loss
 * rule looked at: with lock_wait_timeout set, lint passed with no finding and no approval.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: mysql\napproval:\n  required: risky\n  teams: [dba]\n";
const EVENTS = {
  "migrations/000003_events.up.sql":
    "CREATE TABLE events (id bigint NOT NULL, created date NOT NULL, PRIMARY KEY (id, created))\n" +
    "  PARTITION BY RANGE (YEAR(created)) (PARTITION p2020 VALUES LESS THAN (2021), PARTITION pmax VALUES LESS THAN MAXVALUE);\n",
  "migrations/000003_events.down.sql": "DROP TABLE events;\n",
};

const cases: Array<[string, string]> = [
  ["DROP PARTITION", "ALTER TABLE events DROP PARTITION p2020;\n"],
  ["TRUNCATE PARTITION", "ALTER TABLE events TRUNCATE PARTITION p2020;\n"],
  ["TRUNCATE PARTITION ALL", "ALTER TABLE events TRUNCATE PARTITION ALL;\n"],
  ["DISCARD TABLESPACE", "ALTER TABLE users DISCARD TABLESPACE;\n"],
  [
    "DISCARD PARTITION … TABLESPACE, with a long list of partitions",
    "ALTER TABLE events DISCARD PARTITION p2020, pmax, p2020, pmax, p2020, pmax, p2020 TABLESPACE;\n",
  ],
];

describe("MySQL: rows deleted by an ALTER TABLE partition or tablespace action", () => {
  test.each(cases)("%s", async (_name, sql) => {
    const r = await lintAttack(
      {
        "migrations/000004_x.up.sql": "SET SESSION lock_wait_timeout = 5;\n" + sql,
        "migrations/000004_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG, baseExtra: EVENTS },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("truncate-table");
  });

  test("partition maintenance that keeps the rows is not reported as data loss", async () => {
    const r = await lintAttack(
      {
        "migrations/000004_x.up.sql":
          "SET SESSION lock_wait_timeout = 5;\n" +
          "ALTER TABLE events REORGANIZE PARTITION pmax INTO (PARTITION p2021 VALUES LESS THAN (2022), PARTITION pmax VALUES LESS THAN MAXVALUE);\n",
        "migrations/000004_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG, baseExtra: EVENTS },
    );
    expect(r.report.findings.map((f: any) => f.ruleId)).not.toContain("truncate-table");
  });
});
