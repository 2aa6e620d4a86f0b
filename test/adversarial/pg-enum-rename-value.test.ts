/**
 * Postgres: `ALTER TYPE mood RENAME VALUE 'happy' TO 'sad'`-style renames rewrite what every
 * stored row of every column of the enum says, with no UPDATE and no table lock, and the running
 * application's writes of the old label start failing. Nothing reported it, and the replay sees a
 * renamed label, not a lock or a failure: lint passed with no finding and no DBA was asked.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const BASE = {
  "migrations/000003_people.up.sql":
    "CREATE TYPE status AS ENUM ('active', 'banned');\n" +
    "CREATE TABLE people (id bigint PRIMARY KEY, s status NOT NULL);\n" +
    "INSERT INTO people VALUES (1, 'banned');\n",
  "migrations/000003_people.down.sql": "DROP TABLE people;\nDROP TYPE status;\n",
};

describe("Postgres: renaming a value of an enum that holds data", () => {
  test("banned becomes active (replay on)", async () => {
    const r = await lintAttack(
      {
        "migrations/000004_x.up.sql":
          "ALTER TYPE status RENAME VALUE 'active' TO 'was_active';\n" +
          "ALTER TYPE status RENAME VALUE 'banned' TO 'active';\n",
        "migrations/000004_x.down.sql":
          "ALTER TYPE status RENAME VALUE 'active' TO 'banned';\n" +
          "ALTER TYPE status RENAME VALUE 'was_active' TO 'active';\n",
      },
      { baseExtra: BASE },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("rename-column");
  });

  test("a value of an enum the change creates is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000004_x.up.sql":
          "CREATE TYPE colour AS ENUM ('red');\nALTER TYPE colour RENAME VALUE 'red' TO 'crimson';\n",
        "migrations/000004_x.down.sql": "DROP TYPE colour;\n",
      },
      { baseExtra: BASE, replay: false },
    );
    expect(r.report.findings.map((f: any) => f.ruleId)).not.toContain("rename-column");
  });
});
