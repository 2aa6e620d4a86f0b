/**
 * Dropping a live table under a name the file already used. The ledger never forgets a creation
 * when the object is dropped (src/core/sql/ledger.ts: no case for drops), so after
 * `CREATE TABLE tmp …; DROP TABLE tmp;` the name `tmp` stays "new"; rename-table skips a rename
 * into a name dropped earlier in the file without checking that the renamed table is itself new
 * (src/core/rules/sql/rename-table.ts, droppedEarlier). Renaming `users` to `tmp` then dropping
 * or truncating `tmp` is reported as a notice about a table of this change: no error or warning,
 * no approval under `required: risky`, and every user row is gone. Run with the replay on.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";
import { shareSandbox } from "../support/shared-sandbox.js";

// The subject is what the replay finds in an attack, not the sandbox: one thread and one reset
// database for the file (test/support/shared-sandbox.ts; its isolation: shared-sandbox.test.ts).
const sandbox = shareSandbox();
afterAll(() => expect(sandbox.stats.jobs).toBeGreaterThan(0));

// The extension line blinds the sandbox replay (replay-skipped is only a notice), so the
// lock-access-exclusive warning the replay would add never appears.
const PRELUDE =
  "CREATE EXTENSION IF NOT EXISTS postgis;\nSET lock_timeout = '2s';\nCREATE TABLE tmp (id int);\nDROP TABLE tmp;\nALTER TABLE users RENAME TO tmp;\n";

describe("rename a live table into a name created and dropped earlier", () => {
  test.each([
    ["then DROP it", "DROP TABLE tmp;\n"],
    ["then TRUNCATE it", "TRUNCATE tmp;\n"],
    ["then DELETE from it", "DELETE FROM tmp;\n"],
    ["and just leave users renamed away", ""],
  ])("%s", async (_name, tail) => {
    const r = await lintAttack({
      "migrations/000003_cleanup.up.sql": PRELUDE + tail,
      "migrations/000003_cleanup.down.sql": "SELECT 1;\n",
    });
    expectGated(r);
  });
});
