/** invalid-migration-filename: a file golang-migrate ignores or cannot read as a migration. */
import { BASE, expectStructure, UP } from "../../../helpers/structure.js";

expectStructure([
  ["an unrelated file in the directory", { base: BASE, add: { "migrations/NOTES.md": "x" } }, []],
  [
    "a name golang-migrate ignores",
    { base: BASE, add: { "migrations/000003_t_up.sql": UP } },
    ["migrations/000003_t_up.sql invalid-migration-filename error"],
  ],
  [
    "an edit to a merged file golang-migrate never read",
    { base: BASE, modify: { "migrations/0001_legacy_up.sql": "SELECT 2;" } },
    ["migrations/0001_legacy_up.sql invalid-migration-filename error"],
  ],
  [
    "a migration in a subdirectory is never read",
    { base: BASE, add: { "migrations/archive/000009_x.up.sql": UP } },
    ["migrations/archive/000009_x.up.sql invalid-migration-filename warning"],
  ],
]);
