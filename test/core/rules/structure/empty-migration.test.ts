/** empty-migration: a migration file with no SQL. */
import { BASE, DOWN, expectStructure, UP } from "../../../helpers/structure.js";

expectStructure([
  [
    "an empty up file",
    {
      base: BASE,
      add: { "migrations/000003_t.up.sql": "", "migrations/000003_t.down.sql": DOWN },
    },
    ["migrations/000003_t.up.sql empty-migration warning"],
  ],
  [
    "a comment-only up file",
    {
      base: BASE,
      add: {
        "migrations/000003_t.up.sql": "-- todo\n/* later */\n",
        "migrations/000003_t.down.sql": DOWN,
      },
    },
    ["migrations/000003_t.up.sql empty-migration warning"],
  ],
  [
    "a comment-only down file (documented irreversible) is a notice",
    {
      base: BASE,
      add: {
        "migrations/000003_t.up.sql": UP,
        "migrations/000003_t.down.sql": "-- irreversible: data migration\n",
      },
    },
    ["migrations/000003_t.down.sql empty-migration notice"],
  ],
  [
    "a whitespace-only down file",
    {
      base: BASE,
      add: { "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": " \n\t\n" },
    },
    ["migrations/000003_t.down.sql empty-migration warning"],
  ],
]);
