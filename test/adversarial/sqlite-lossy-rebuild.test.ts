/**
 * SQLite's copy-and-swap rebuild (create users_new, copy, DROP TABLE users, rename users_new to
 * users) is a drop-table notice once an INSERT … SELECT from users into users_new comes first —
 * any such INSERT: one that copies no row (`WHERE id < 0`, `LIMIT 0`), or a full copy emptied
 * again by a DELETE of the new table (exempt itself: the table is new), passed lint with only that
 * notice, and `required: risky` asked for no DBA while every row of users was lost.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: sqlite\napproval:\n  required: risky\n  teams: [dba]\n";
// The same columns as users: the schema after the swap is the one before, so the replay's
// comparison of schemas has nothing to say.
const NEW = "CREATE TABLE users_new (id bigint PRIMARY KEY, email text);\n";
const SWAP = "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n";
const DOWN = "SELECT 1;\n";

const cases: Array<[string, string]> = [
  [
    "a copy that selects no row",
    "INSERT INTO users_new SELECT id, email FROM users WHERE id < 0;\n",
  ],
  ["a copy with LIMIT 0", "INSERT INTO users_new SELECT id, email FROM users LIMIT 0;\n"],
  [
    "a full copy, then the new table emptied",
    "INSERT INTO users_new SELECT id, email FROM users;\nDELETE FROM users_new;\n",
  ],
  [
    "a full copy, then the copied values blanked",
    "INSERT INTO users_new SELECT id, email FROM users;\nUPDATE users_new SET email = '';\n",
  ],
];

describe("SQLite: a table rebuild that does not keep the rows", () => {
  test.each(cases)("%s", async (_name, copy) => {
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": NEW + copy + SWAP, "migrations/000003_x.down.sql": DOWN },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("drop-table");
  });

  test("the usual rebuild with a full copy stays a notice", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          NEW + "INSERT INTO users_new SELECT id, email FROM users;\n" + SWAP,
        "migrations/000003_x.down.sql": DOWN,
      },
      { config: CONFIG },
    );
    const drops = r.report.findings.filter((f: any) => f.ruleId === "drop-table");
    expect(drops.map((f: any) => f.severity)).toEqual(["notice"]);
  });
});
