/** missing-up-migration: a down migration without an up file. */
import { BASE, DOWN, expectStructure, UP } from "../../../helpers/structure.js";

expectStructure([
  [
    "a down file added later for a merged up (allowed)",
    {
      base: { migrations: { "000001_a.up.sql": UP } },
      add: { "migrations/000001_a.down.sql": DOWN },
    },
    [],
  ],
  [
    "a down file without up",
    { base: BASE, add: { "migrations/000003_t.down.sql": DOWN } },
    ["migrations/000003_t.down.sql missing-up-migration error"],
  ],
]);
