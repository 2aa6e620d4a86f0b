/**
 * Postgres: `DELETE FROM users WHERE id IS NOT NULL` on the primary key selects every row, as
 * `id = id` does (pg-where-tautology), but reads like a filter: dml-without-where took any IS NOT
 * NULL for one. Now a condition that only asks for non-NULL columns is every row when the schema
 * (the merged history, or the replayed catalog) says they are NOT NULL. A nullable column's test
 * stays a filter.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

describe("Postgres: IS NOT NULL of a NOT NULL column", () => {
  test.each([
    ["the primary key (replay off)", "DELETE FROM users WHERE id IS NOT NULL;\n", false],
    [
      "NOT … IS NULL, AND a constant (replay on: the catalog)",
      "UPDATE users SET email = NULL WHERE NOT users.id IS NULL AND true;\n",
      true,
    ],
    ["one branch of an OR", "DELETE FROM users WHERE email = 'x' OR id IS NOT NULL;\n", false],
  ] as const)("%s", async (_name, sql, replay) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { replay },
    );
    expectGated(r);
    expect(ids(r)).toContain("dml-without-where");
  });

  test("a nullable column's IS NOT NULL is a filter", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql": "DELETE FROM users WHERE email IS NOT NULL;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { replay: false },
    );
    expect(ids(r)).not.toContain("dml-without-where");
  });
});
