/** missing-down-migration: an up migration without a down file. */
import { BASE, DOWN, expectStructure, UP } from "../../../helpers/structure.js";

expectStructure([
  [
    "a clean new pair",
    {
      base: BASE,
      add: { "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": DOWN },
    },
    [],
  ],
  [
    "an up file without down",
    { base: BASE, add: { "migrations/000003_t.up.sql": UP } },
    ["migrations/000003_t.up.sql missing-down-migration warning"],
  ],
  [
    "pairing is by version only (titles may differ)",
    {
      base: BASE,
      add: { "migrations/000003_add_x.up.sql": UP, "migrations/3_drop_y.down.sql": DOWN },
    },
    [],
  ],
]);
