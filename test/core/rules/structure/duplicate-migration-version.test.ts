/** duplicate-migration-version: two files golang-migrate would load for the same version and direction. */
import { BASE, brief, DOWN, expectStructure, findings, UP } from "../../../helpers/structure.js";
import { changeSet } from "../../../support/changeset.js";

expectStructure([
  [
    "a backup copy that golang-migrate loads and that collides",
    { base: BASE, add: { "migrations/000002_orders.up.sql.bak": "x" } },
    [
      "migrations/000002_orders.up.sql.bak duplicate-migration-version error",
      "migrations/000002_orders.up.sql.bak invalid-migration-filename error",
    ],
  ],
  [
    "the same version with other leading zeros",
    { base: BASE, add: { "migrations/2_other.up.sql": UP } },
    ["migrations/2_other.up.sql duplicate-migration-version error"],
  ],
  [
    "two new files with the same version",
    {
      base: BASE,
      add: {
        "migrations/000005_a.up.sql": UP,
        "migrations/05_b.up.sql": UP,
        "migrations/000005_a.down.sql": DOWN,
      },
    },
    [
      "migrations/000005_a.up.sql duplicate-migration-version error",
      "migrations/05_b.up.sql duplicate-migration-version error",
    ],
  ],
  [
    "a version below the latest merged one",
    { base: BASE, add: { "migrations/000001_5_late.up.sql": UP } },
    ["migrations/000001_5_late.up.sql duplicate-migration-version error"],
  ],
  [
    "a new version equal to a merged one (a duplicate, not out of order)",
    {
      base: { migrations: { "20_b.up.sql": UP, "20_b.down.sql": DOWN } },
      add: { "migrations/20_c.up.sql": UP },
    },
    ["migrations/20_c.up.sql duplicate-migration-version error"],
  ],
]);

test("a deletion and a re-add under a new version is reported as both", async () => {
  const fs = await findings(
    changeSet({
      base: BASE,
      remove: ["migrations/000002_orders.up.sql"],
      add: { "migrations/000001_orders.up.sql": UP },
    }),
  );
  expect(brief(fs)).toEqual([
    "migrations/000001_orders.up.sql duplicate-migration-version error",
    "migrations/000002_orders.up.sql deleted-merged-migration error",
  ]);
});
