/**
 * MySQL: the name-shadowing gap across files of one change, one DDL statement per file so
 * mysql-ddl-autocommit stays quiet, and no replay (there is no embedded MySQL; replay-skipped is a
 * notice). A table `archive.users` (or a TEMPORARY `users`) created by an earlier migration of the
 * change makes `DROP TABLE users` — the live table — read as dropping a table of this change
 * (sameObject ignores a missing schema, src/core/sql/model.ts:314; drops are never recorded,
 * src/core/sql/ledger.ts). Notices only: lint passes and no approval is required.
 */
import { describe, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: mysql\napproval:\n  required: risky\n  teams: [dba]\n";
const RESTORE = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n";

describe("MySQL: a live table dropped under a name an earlier migration of the change created", () => {
  test("a same-named table in another database", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_archive.up.sql": "CREATE TABLE archive.users (id int);\n",
        "migrations/000003_archive.down.sql": "DROP TABLE archive.users;\n",
        "migrations/000004_drop.up.sql": "DROP TABLE users;\n",
        "migrations/000004_drop.down.sql": RESTORE,
      },
      { config: CONFIG },
    );
    expectGated(r);
  });

  test("a temporary table, dropped, then the live one", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_scratch.up.sql": "CREATE TEMPORARY TABLE users (id int);\n",
        "migrations/000003_scratch.down.sql": "SELECT 1;\n",
        "migrations/000004_a.up.sql": "DROP TABLE users;\n",
        "migrations/000004_a.down.sql": "SELECT 1;\n",
        "migrations/000005_b.up.sql": "DROP TABLE users;\n",
        "migrations/000005_b.down.sql": RESTORE,
      },
      { config: CONFIG },
    );
    expectGated(r);
  });
});
