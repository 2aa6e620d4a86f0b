/**
 * ClickHouse: `DETACH TABLE|DICTIONARY … PERMANENTLY` takes the object away from every query for
 * good (its data left on disk for a manual ATTACH), and `OPTIMIZE TABLE … DEDUPLICATE [BY …]`
 * deletes rows. Both passed as `other` statements with no finding: `required: risky` asked for
 * no DBA. drop-table reports DETACH, truncate-table the deduplication.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: clickhouse\napproval:\n  required: risky\n  teams: [dba]\n";
const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

const cases: Array<[string, string, string]> = [
  ["DETACH TABLE … PERMANENTLY", "DETACH TABLE users PERMANENTLY;\n", "drop-table"],
  [
    "DETACH TABLE IF EXISTS … ON CLUSTER … PERMANENTLY SYNC",
    "DETACH TABLE IF EXISTS default.users ON CLUSTER main PERMANENTLY SYNC;\n",
    "drop-table",
  ],
  ["DETACH TABLE until restart", "DETACH TABLE users;\n", "drop-table"],
  ["DETACH DICTIONARY … PERMANENTLY", "DETACH DICTIONARY users_dict PERMANENTLY;\n", "drop-table"],
  ["DETACH of an unread form", "DETACH DATABASE analytics PERMANENTLY;\n", "sql-parse-error"],
  ["OPTIMIZE … FINAL DEDUPLICATE", "OPTIMIZE TABLE users FINAL DEDUPLICATE;\n", "truncate-table"],
  [
    "OPTIMIZE … PARTITION … DEDUPLICATE BY",
    "OPTIMIZE TABLE users PARTITION tuple() DEDUPLICATE BY email;\n",
    "truncate-table",
  ],
];

describe("ClickHouse: DETACH and OPTIMIZE … DEDUPLICATE", () => {
  test.each(cases)("%s", async (_name, sql, rule) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { config: CONFIG },
    );
    expectGated(r);
    expect(ids(r)).toContain(rule);
  });

  test("OPTIMIZE … FINAL alone merges parts and keeps every row", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql": "OPTIMIZE TABLE users FINAL;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expect(ids(r)).not.toContain("truncate-table");
    expect(ids(r)).not.toContain("sql-parse-error");
  });
});
