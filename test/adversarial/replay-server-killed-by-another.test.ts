/**
 * Every replay on a server runs with the same account, and Postgres lets a role end its own
 * other sessions (pg_terminate_backend). A sacrificial pull request whose migration ends every
 * other session of the account, again and again, stopped a concurrent replay of another change
 * (waiting for the lock, or applying the merged history): that replay was "unavailable" or
 * "stopped during the base step", a notice, and the other change passed without being replayed.
 * A session ended from outside once connected is an error: nothing was verified.
 *
 * A database and a role of their own (MW_TEST_POSTGRES_ADMIN_URL): the killing loop must not
 * reach other tests' sessions of the shared test account.
 */
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import type pg from "pg";
import { cliDatabases } from "../../src/replay/external/select.js";
import { BASES, runScenario } from "../replay/support.js";
import { createOwnPostgresAccount, dropOwnPostgresAccount } from "../replay/servers.js";

jest.setTimeout(120_000);

const URL_ = process.env.MW_TEST_POSTGRES_URL;
const ADMIN = process.env.MW_TEST_POSTGRES_ADMIN_URL;
const name = `mw_adv_killed_${process.pid}`;
const run = URL_ && ADMIN ? test : test.skip;
if (!URL_ || !ADMIN)
  console.warn("SKIPPED: MW_TEST_POSTGRES_URL and MW_TEST_POSTGRES_ADMIN_URL are not set.");

let admin: pg.Client | undefined;
let url = "";

beforeAll(async () => {
  if (!URL_ || !ADMIN) return;
  ({ admin, url } = await createOwnPostgresAccount(URL_, ADMIN, name));
});

afterAll(async () => {
  if (admin) await dropOwnPostgresAccount(admin, name);
});

const replay = (add: Record<string, string>) =>
  runScenario({
    base: BASES.postgresServer,
    add,
    databases: cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: url }),
  });

// Ends every other session of the account for 3 s. The server keeps running it after its own
// replay has lost its lock (a closed socket does not stop a running statement).
const KILLER =
  "DO $$ DECLARE t timestamptz := clock_timestamp(); BEGIN\n" +
  "  WHILE clock_timestamp() < t + interval '3 seconds' LOOP\n" +
  "    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid();\n" +
  "    PERFORM pg_sleep(0.02);\n" +
  "  END LOOP;\n" +
  "END $$;\n";

run("replays whose sessions another replay's migration ends are errors, never a pass", async () => {
  const killer = replay({ "3_k.up.sql": KILLER, "3_k.down.sql": "SELECT 1;\n" });
  const broken = {
    "3_f.up.sql": "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT nope FROM users';\n",
    "3_f.down.sql": "DROP FUNCTION f();\n",
  };
  // One waits for the lock when its sessions end, the other is ended wherever it has got to.
  const later = (ms: number) =>
    new Promise((resolve) => setTimeout(resolve, ms)).then(() => replay(broken));
  const victims = await Promise.all([later(200), later(900)]);
  await killer;
  for (const victim of victims) {
    if (process.env.ADV_DEBUG) console.log(victim.findings, victim.data?.abort);
    expect(victim.report.summary.error).toBeGreaterThan(0);
  }
});
