/**
 * Postgres composite types: `ALTER TYPE addr DROP ATTRIBUTE zip` deletes that part of every value
 * of every column of type addr (allowed without CASCADE; with CASCADE typed tables lose the column
 * too), and `ALTER ATTRIBUTE … TYPE … CASCADE` converts the typed tables' column (narrowing
 * rounds, truncates or fails). Read as `ALTER TYPE` (other), neither had a finding: with the
 * replay off, `required: risky` asked for no DBA. drop-column and alter-column-type report them.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const BASE = {
  "migrations/000000_addr.up.sql":
    "CREATE TYPE addr AS (street text, zip int);\nCREATE TABLE places (id bigint PRIMARY KEY, a addr);\nCREATE TYPE p AS (x numeric, y int);\nCREATE TABLE typed OF p;\n",
  "migrations/000000_addr.down.sql":
    "DROP TABLE typed;\nDROP TYPE p;\nDROP TABLE places;\nDROP TYPE addr;\n",
};
const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

const cases: Array<[string, string, string]> = [
  ["DROP ATTRIBUTE", "ALTER TYPE addr DROP ATTRIBUTE zip;\n", "drop-column"],
  [
    "DROP ATTRIBUTE … CASCADE",
    "ALTER TYPE public.p DROP ATTRIBUTE IF EXISTS y CASCADE;\n",
    "drop-column",
  ],
  [
    "ALTER ATTRIBUTE … TYPE … CASCADE (narrowing)",
    "ALTER TYPE p ALTER ATTRIBUTE x TYPE int CASCADE;\n",
    "alter-column-type",
  ],
];

describe("Postgres: composite type attributes dropped or narrowed (replay off)", () => {
  test.each(cases)("%s", async (_name, sql, rule) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { replay: false, baseExtra: BASE },
    );
    expectGated(r);
    expect(ids(r)).toContain(rule);
  });

  test("a type the change creates is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "CREATE TYPE q AS (a int, b int);\nALTER TYPE q DROP ATTRIBUTE b, ALTER ATTRIBUTE a TYPE bigint CASCADE;\n",
        "migrations/000003_x.down.sql": "DROP TYPE q;\n",
      },
      { replay: false },
    );
    expect(ids(r)).not.toContain("drop-column");
    expect(ids(r)).not.toContain("alter-column-type");
  });
});
