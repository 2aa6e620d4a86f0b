/** ignore-without-reason: an ignore comment that suppresses nothing. (SQL-side cases: test/core/suppress.test.ts.) */
import { BASE, UP, brief, findings } from "../../../helpers/structure.js";
import { changeSet } from "../../../support/changeset.js";

test("an ignore comment without a reason suppresses nothing and is reported", async () => {
  const cs = changeSet({
    base: BASE,
    add: {
      "migrations/000003_t.up.sql": `-- migration-warden:ignore-file missing-down-migration\n${UP}`,
    },
  });
  expect(brief(await findings(cs))).toEqual([
    "migrations/000003_t.up.sql ignore-without-reason warning",
    "migrations/000003_t.up.sql missing-down-migration warning",
  ]);
});
