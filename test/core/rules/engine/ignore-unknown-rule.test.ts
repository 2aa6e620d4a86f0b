/** ignore-unknown-rule: an ignore comment naming a rule id that does not exist. (SQL-side cases: test/core/suppress.test.ts.) */
import { BASE, DOWN, UP, brief, findings } from "../../../helpers/structure.js";
import { changeSet } from "../../../support/changeset.js";

test("an unknown rule id in an ignore comment is reported", async () => {
  const cs = changeSet({
    base: BASE,
    add: {
      "migrations/000003_t.up.sql": `-- migration-warden:ignore-file missing-down-migraton -- typo\n${UP}`,
      "migrations/000003_t.down.sql": DOWN,
    },
  });
  expect(brief(await findings(cs))).toEqual([
    "migrations/000003_t.up.sql ignore-unknown-rule warning",
  ]);
});
