/**
 * WHERE clauses that are tautologies in disguise: a NOT over a comparison (`NOT (id <> id)` is
 * `id = id`), or sides that differ only by a constant (`id = id + 0`, `id + 1 > id`,
 * `coalesce(id, 0) = id`, `id IN (id)`). Every reader took them for real filters: lint passed,
 * no approval required, every row deleted or rewritten. In all three dialects.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const config = (dialect: string) =>
  `directories:\n  - path: migrations\n    dialect: ${dialect}\napproval:\n  required: risky\n  teams: [dba]\n`;
const ids = (r: { report: any }) => (r.report?.findings ?? []).map((f: any) => f.ruleId);

const cases: Array<[string, string, string]> = [
  ["postgres", "NOT over a self-comparison", "DELETE FROM users WHERE NOT (id <> id);\n"],
  ["postgres", "a constant difference", "UPDATE users SET email = NULL WHERE id + 1 > id;\n"],
  ["postgres", "coalesce of the row's value", "DELETE FROM users WHERE coalesce(id, 0) = id;\n"],
  [
    "postgres",
    "De Morgan of a contradiction",
    "DELETE FROM users WHERE NOT (id = 1 AND id <> 1);\n",
  ],
  ["mysql", "NOT over a self-comparison", "DELETE FROM users WHERE NOT (id <> id);\n"],
  ["mysql", "a constant difference", "UPDATE users SET email = NULL WHERE id - id = 0;\n"],
  ["mysql", "membership in a list of itself", "DELETE FROM users WHERE id IN (id);\n"],
  ["sqlite", "NOT over a self-comparison", "DELETE FROM users WHERE NOT (id <> id);\n"],
  ["sqlite", "a constant difference", "DELETE FROM users WHERE id * 0 = 0;\n"],
];

describe("tautologies in disguise", () => {
  test.each(cases)("%s: %s", async (dialect, _name, sql) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": sql, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { config: config(dialect), replay: false },
    );
    expectGated(r);
    expect(ids(r)).toContain("dml-without-where");
  });
});
