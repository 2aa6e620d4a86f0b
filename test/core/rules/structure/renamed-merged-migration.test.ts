/** renamed-merged-migration: a rename of a migration the base branch already has. */
import { BASE, expectStructure } from "../../../helpers/structure.js";

expectStructure([
  [
    "a renamed merged migration",
    {
      base: BASE,
      rename: [["migrations/000002_orders.up.sql", "migrations/000003_orders.up.sql"]],
    },
    [
      "migrations/000003_orders.up.sql missing-down-migration warning",
      "migrations/000003_orders.up.sql renamed-merged-migration error",
    ],
  ],
]);
