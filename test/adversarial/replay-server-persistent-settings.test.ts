/**
 * A pull request's SQL on a Postgres replay server must not change the next replay. DROP OWNED
 * BY CURRENT_USER empties the database, but the database's own settings (ALTER DATABASE … SET,
 * CONNECTION LIMIT) and the account's (ALTER ROLE CURRENT_USER SET …), which the database's
 * owner may change without any special privilege, live in the cluster's catalogs and outlive it:
 * PR A could turn off check_function_bodies for every later replay (PR B's broken function then
 * passes), or set a connection limit of 1 so that every later replay is "unavailable" (a notice,
 * no replay at all).
 *
 * A database and a role of their own (made with MW_TEST_POSTGRES_ADMIN_URL), so that what these
 * attacks leave behind on today's code cannot reach the shared test account or other tests.
 */
import { afterAll, beforeAll, beforeEach, expect, jest, test } from "@jest/globals";
import type pg from "pg";
import { cliDatabases } from "../../src/replay/external/select.js";
import { BASES, runScenario, summary } from "../replay/support.js";
import {
  createOwnPostgresAccount,
  dropOwnPostgresAccount,
  postgresAdmin,
} from "../replay/servers.js";

jest.setTimeout(120_000);

const URL_ = process.env.MW_TEST_POSTGRES_URL;
const ADMIN = process.env.MW_TEST_POSTGRES_ADMIN_URL;
const name = `mw_adv_settings_${process.pid}`;
const run = URL_ && ADMIN ? test : test.skip;
if (!URL_ || !ADMIN)
  console.warn("SKIPPED: MW_TEST_POSTGRES_URL and MW_TEST_POSTGRES_ADMIN_URL are not set.");

let admin: pg.Client | undefined;
let url = "";

beforeAll(async () => {
  if (!URL_ || !ADMIN) return;
  ({ admin, url } = await createOwnPostgresAccount(URL_, ADMIN, name));
});

// Each case starts from a database without settings: on today's code one case's leftovers would
// otherwise decide the next one's outcome.
beforeEach(async () => {
  if (!admin) return;
  await admin.query(`ALTER DATABASE ${name} RESET ALL`);
  await admin.query(`ALTER DATABASE ${name} CONNECTION LIMIT -1 IS_TEMPLATE false`);
  await admin.query(`ALTER ROLE ${name} RESET ALL`);
  await admin.query(`ALTER ROLE ${name} IN DATABASE ${name} RESET ALL`);
  await admin.query(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC`);
  await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${name} TO PUBLIC`);
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

/** A SQL function whose body names a column that does not exist: fails unless bodies go unchecked. */
const BROKEN_FUNCTION = {
  "3_f.up.sql": "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT nope FROM users';\n",
  "3_f.down.sql": "DROP FUNCTION f();\n",
};

async function leftovers(): Promise<unknown> {
  const settings = await admin!.query(
    `SELECT s.setconfig FROM pg_db_role_setting s
      WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = $1)
         OR s.setrole = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
    [name],
  );
  const db = await admin!.query(
    "SELECT datconnlimit, datistemplate FROM pg_database WHERE datname = $1",
    [name],
  );
  return { settings: settings.rows.flatMap((r) => r.setconfig), database: db.rows[0] };
}

run("the control: a function with a broken body fails its up", async () => {
  const r = await replay(BROKEN_FUNCTION);
  expect(summary(r.findings)).toContain("replay-up-failed 3_f.up.sql:1");
});

run(
  "settings of the database and the account set by one replay are gone for the next",
  async () => {
    const a = await replay({
      "3_a.up.sql":
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET check_function_bodies = off', current_database()); END $$;\n" +
        "ALTER ROLE CURRENT_USER SET check_function_bodies = off;\n" +
        "DO $$ BEGIN EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I SET check_function_bodies = off', current_database()); END $$;\n" +
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I IS_TEMPLATE true', current_database()); END $$;\n",
      "3_a.down.sql": "SELECT 1;\n",
    });
    expect(a.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(await leftovers()).toEqual({
      settings: [],
      database: { datconnlimit: -1, datistemplate: false },
    });
    const b = await replay(BROKEN_FUNCTION);
    expect(summary(b.findings)).toContain("replay-up-failed 3_f.up.sql:1");
  },
);

run("a connection limit set by one replay does not make the next one unavailable", async () => {
  await replay({
    "3_a.up.sql":
      "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT 1', current_database()); END $$;\n",
    "3_a.down.sql": "SELECT 1;\n",
  });
  const b = await replay(BROKEN_FUNCTION);
  expect(summary(b.findings)).toEqual(["replay-up-failed 3_f.up.sql:1"]);
});

run(
  "a replay that ends its own session before the wipe still leaves nothing for the next",
  async () => {
    // The session is lost, so the replay cannot wipe at its end: the next claim must cope.
    const a = await replay({
      "3_a.up.sql":
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT 1', current_database()); END $$;\n" +
        "ALTER ROLE CURRENT_USER SET check_function_bodies = off;\n" +
        "ALTER ROLE CURRENT_USER SET default_transaction_read_only = on;\n" +
        "ALTER ROLE CURRENT_USER SET search_path = evil, pg_catalog, public;\n",
      "3_a.down.sql": "SELECT 1;\n",
      // A file of its own: the one before has committed when the lock's session and its own end.
      "4_b.up.sql":
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid();\n" +
        "SELECT pg_terminate_backend(pg_backend_pid());\n",
      "4_b.down.sql": "SELECT 1;\n",
    });
    // Stopped by its own SQL once it had run: an error (replay-sandbox-crash-after-change.test.ts).
    expect(a.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      ["replay-skipped", "error", expect.stringContaining("4_b.up.sql")],
    ]);
    const b = await replay(BROKEN_FUNCTION);
    if (process.env.ADV_DEBUG) console.log(b.findings);
    expect(summary(b.findings)).toEqual(["replay-up-failed 3_f.up.sql:1"]);
    expect(await leftovers()).toEqual({
      settings: [],
      database: { datconnlimit: -1, datistemplate: false },
    });
  },
);

run("database privileges granted by a replay to every role are taken back", async () => {
  await replay({
    "3_a.up.sql":
      "DO $$ BEGIN EXECUTE format('GRANT ALL ON DATABASE %I TO PUBLIC', current_database()); END $$;\n",
    "3_a.down.sql": "SELECT 1;\n",
  });
  const acl = await admin!.query(
    `SELECT a.privilege_type FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
      WHERE d.datname = $1 AND a.grantee = 0 ORDER BY 1`,
    [name],
  );
  expect(acl.rows.map((r) => r.privilege_type)).toEqual(["CONNECT", "TEMPORARY"]);
});

run(
  "a connection limit of 0 left by a replay that could not wipe is an error, never a notice",
  async () => {
    await replay({
      "3_a.up.sql":
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT 0', current_database()); END $$;\n",
      "3_a.down.sql": "SELECT 1;\n",
      "4_b.up.sql": "SELECT pg_terminate_backend(pg_backend_pid());\n",
      "4_b.down.sql": "SELECT 1;\n",
    });
    // Nothing the replay account can do about it: the operator must. Until then every change's
    // replay fails loudly instead of passing unreplayed.
    const b = await replay(BROKEN_FUNCTION);
    expect(b.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      ["replay-skipped", "error", expect.stringContaining("too many connections for database")],
    ]);
  },
);

run("a public schema renamed by a replay is public again for the next", async () => {
  // From PostgreSQL 15 public belongs to pg_database_owner: DROP OWNED keeps it, renamed.
  await replay({
    "3_a.up.sql": "ALTER SCHEMA public RENAME TO kept;\nCREATE SCHEMA public;\n",
    "3_a.down.sql": "SELECT 1;\n",
  });
  const b = await replay(BROKEN_FUNCTION);
  expect(summary(b.findings)).toEqual(["replay-up-failed 3_f.up.sql:1"]);
  const u = new URL(ADMIN!);
  u.pathname = `/${name}`;
  const inside = await postgresAdmin(u.toString());
  try {
    const schemas = await inside.query(
      `SELECT n.nspname, n.nspowner::regrole::text AS owner FROM pg_namespace n
        WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'`,
    );
    expect(schemas.rows).toEqual([{ nspname: "public", owner: "pg_database_owner" }]);
  } finally {
    await inside.end();
  }
});
