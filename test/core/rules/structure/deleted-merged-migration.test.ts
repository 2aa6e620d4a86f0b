/** deleted-merged-migration: a deletion of a migration the base branch already has. */
import { BASE, expectStructure } from "../../../helpers/structure.js";

expectStructure([
  [
    "a deleted merged migration",
    { base: BASE, remove: ["migrations/000002_orders.down.sql"] },
    ["migrations/000002_orders.down.sql deleted-merged-migration error"],
  ],
]);
