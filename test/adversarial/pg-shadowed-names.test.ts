/**
 * A table of this change that shares a name with a live one makes destructive statements on the
 * live table read as statements on the new one. Names match when either side has no schema
 * (src/core/sql/model.ts:314, sameObject), so `audit.users` created in a new schema makes
 * `DROP TABLE users` (public.users) "a table of this change"; and the ledger never records
 * drops (src/core/sql/ledger.ts) nor follows search_path, so after `CREATE TEMP TABLE users …; DROP TABLE users;` every
 * later statement on `users` — now the live table — still reads as new. Each is reported as a
 * notice at most: lint passes and `required: risky` asks for no approval.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";
import { shareSandbox } from "../support/shared-sandbox.js";

// The subject is what the replay finds in an attack, not the sandbox: one thread and one reset
// database for the file (test/support/shared-sandbox.ts; its isolation: shared-sandbox.test.ts).
const sandbox = shareSandbox();
afterAll(() => expect(sandbox.stats.jobs).toBeGreaterThan(0));

/** Blinds the sandbox replay (replay-skipped is a notice), hiding its lock-access-exclusive warning. */
const BLIND = "CREATE EXTENSION IF NOT EXISTS postgis;\n";

describe("a new table shadowing a live one by name", () => {
  test.each([
    [
      "a same-named table in another schema",
      BLIND + "CREATE SCHEMA audit;\nCREATE TABLE audit.users (id int);\nDROP TABLE users;\n",
      "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nDROP TABLE audit.users;\nDROP SCHEMA audit;\n",
    ],
    [
      "a same-named table created under another search_path",
      BLIND +
        "SET lock_timeout = '2s';\nCREATE SCHEMA s;\nSET search_path = s;\nCREATE TABLE users (id int);\nSET search_path = public;\nDROP TABLE users;\n",
      "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nDROP TABLE s.users;\nDROP SCHEMA s;\n",
    ],
    [
      "a temporary table dropped, then the real one",
      BLIND + "CREATE TEMP TABLE users (id int);\nDROP TABLE users;\nDROP TABLE users;\n",
      "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    ],
    [
      "a temporary table dropped, then every row of the real one",
      BLIND + "CREATE TEMP TABLE users (id int);\nDROP TABLE users;\nDELETE FROM users;\n",
      "SELECT 1;\n",
    ],
    [
      "a temporary table dropped, then a column of the real one",
      BLIND +
        "SET lock_timeout = '2s';\nCREATE TEMP TABLE users (email int);\nDROP TABLE users;\nALTER TABLE users DROP COLUMN email;\n",
      "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email text;\n",
    ],
  ])("%s", async (_name, up, down) => {
    const r = await lintAttack({
      "migrations/000003_tidy.up.sql": up,
      "migrations/000003_tidy.down.sql": down,
    });
    expectGated(r);
  });
});
