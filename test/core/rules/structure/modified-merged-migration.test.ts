/** modified-merged-migration: an edit to a migration the base branch already has. */
import { BASE, brief, expectStructure, findings } from "../../../helpers/structure.js";
import { changeSet } from "../../../support/changeset.js";

expectStructure([
  [
    "an edit to a merged migration",
    {
      base: BASE,
      modify: { "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint, x int);" },
    },
    ["migrations/000001_users.up.sql modified-merged-migration error"],
  ],
  [
    "an edit to the merged README is fine",
    { base: BASE, modify: { "migrations/README.md": "# new" } },
    [],
  ],
]);

test("edits to merged migrations cannot be suppressed", async () => {
  const cs = changeSet({
    base: BASE,
    modify: {
      "migrations/000001_users.up.sql":
        "-- migration-warden:ignore-file modified-merged-migration -- trust me\nCREATE TABLE users (id int);",
    },
  });
  const fs = await findings(cs);
  expect(brief(fs)).toEqual(["migrations/000001_users.up.sql modified-merged-migration error"]);
});
