/**
 * PGlite replayed every migration as initdb's superuser, and a superuser writes the system
 * catalogs with plain DML. The schema fingerprint is read from those catalogs, so a down file
 * could make a table disappear from them (here: moved into pg_toast, which the fingerprint skips)
 * instead of dropping it: "applied, schema restored", the up applied again, and only
 * `unanalyzable-statement` warnings were left (the table name built at run time), which a
 * suppression comment silences. Migrations now run as the database's owner (no superuser), and
 * every way back to the superuser is refused; what needs one stops the replay as a limitation (a
 * warning: the approval check does not pass), never as a verified down.
 */
import { expect, jest, test } from "@jest/globals";
import { BASES, runScenario, testCache } from "../replay/support.js";

jest.setTimeout(600_000);

const cache = testCache();
const UP = "CREATE TABLE audit (id bigint PRIMARY KEY, note text);\n";

/** Hides `audit` from the fingerprint by moving it (and its row type and key) into pg_toast. */
const HIDE = `DO $$
DECLARE
  t oid := 'audit'::regclass;
  hide text := (SELECT oid::text FROM pg_namespace WHERE nspname = 'pg_toast');
  cat text := 'pg_';
BEGIN
  EXECUTE 'UPDATE ' || cat || 'class SET relnamespace = ' || hide || ' WHERE oid = ' || t
    || ' OR oid IN (SELECT indexrelid FROM ' || cat || 'index WHERE indrelid = ' || t || ')';
  EXECUTE 'UPDATE ' || cat || 'type SET typnamespace = ' || hide || ' WHERE typrelid = ' || t
    || ' OR typelem IN (SELECT oid FROM ' || cat || 'type WHERE typrelid = ' || t || ')';
  EXECUTE 'UPDATE ' || cat || 'constraint SET connamespace = ' || hide || ' WHERE conrelid = ' || t;
END $$;
`;

const replay = (down: string, up = UP) =>
  runScenario({
    base: BASES.pglite,
    cache,
    add: { "3_audit.up.sql": up, "3_audit.down.sql": down },
  });

/** The down never counts as verified: it stops with a limitation naming what was refused. */
async function expectRefused(down: string, reason: RegExp) {
  const r = await replay(down);
  const skipped = r.findings.filter((f) => f.ruleId === "replay-skipped");
  expect(skipped.map((f) => [f.path, f.severity])).toEqual([
    ["migrations/3_audit.down.sql", "warning"],
  ]);
  expect(skipped[0]!.message).toMatch(reason);
  expect(r.data!.downs.map((d) => d.ok)).toEqual([false]);
  expect(r.data!.reups).toEqual([]);
  expect(r.data!.limitation?.reason).toMatch(/replays as the database's owner, not as a superuser/);
  return r;
}

test("a down that hides the table by writing pg_class is refused, not a restored schema", async () => {
  const r = await expectRefused(HIDE, /permission denied for table pg_class/);
  expect(r.report.summary.warning).toBeGreaterThan(0);
  // What an honest down gets: verified.
  const honest = await replay("DROP TABLE audit;\n");
  expect(honest.findings).toEqual([]);
  expect(honest.data!.downs.map((d) => d.ok)).toEqual([true]);
  expect(honest.data!.downChecks).toEqual([]);
});

const SUPERUSER = "(SELECT rolname FROM pg_roles WHERE oid = 10)";

test.each([
  [
    "DELETE through EXECUTE format",
    "DO $$ BEGIN EXECUTE format('DELETE FROM pg_catalog.%I WHERE attrelid = %L::regclass', 'pg_attribute', 'audit'); END $$;\n",
    /permission denied for table pg_attribute/,
  ],
  ["RESET ROLE", "RESET ROLE;\n" + HIDE, /cannot set parameter "role"/],
  [
    "SET ROLE to initdb's superuser, by name read at run time",
    `DO $$ BEGIN EXECUTE 'SET ROLE ' || quote_ident(${SUPERUSER}); END $$;\n` + HIDE,
    /cannot set parameter "role"/,
  ],
  [
    "SET SESSION AUTHORIZATION",
    `DO $$ BEGIN EXECUTE 'SET SESSION AUTHORIZATION ' || quote_ident(${SUPERUSER}); END $$;\n` +
      HIDE,
    /cannot set parameter "session_authorization"/,
  ],
  [
    "RESET SESSION AUTHORIZATION in dynamic SQL",
    "DO $$ BEGIN EXECUTE 'RESET SESSION AUTHORIZATION'; END $$;\n" + HIDE,
    /cannot set parameter "session_authorization"/,
  ],
  [
    "set_config('role', …)",
    `SELECT set_config('role', ${SUPERUSER}, false);\n` + HIDE,
    /cannot set parameter "role"/,
  ],
  ["DISCARD ALL (alone in its file)", "DISCARD ALL;\n", /session_authorization/],
  [
    "a function whose SET clause changes the session's user",
    `CREATE FUNCTION up() RETURNS void LANGUAGE sql SET session_authorization = 'migration_warden_sandbox' AS 'SELECT 1';\n`,
    /cannot set parameter "session_authorization"/,
  ],
  [
    "SET allow_system_table_mods",
    "SET allow_system_table_mods = on;\n" + HIDE,
    /permission denied to set parameter "allow_system_table_mods"/,
  ],
  [
    "ALTER SYSTEM (alone in its file: it cannot run in a transaction block)",
    "ALTER SYSTEM SET search_path = evil, pg_catalog;\n",
    /permission denied to set parameter "search_path"/,
  ],
  [
    "COPY from the sandbox's file system",
    "COPY audit (note) FROM '/pglite/data/PG_VERSION';\nDROP TABLE audit;\n",
    /permission denied to COPY from a file/,
  ],
  ["LOAD", "LOAD 'auto_explain';\nDROP TABLE audit;\n", /access to library "auto_explain"/],
  [
    "a function in an untrusted language",
    "CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'plpgsql', 'plpgsql_call_handler';\nDROP TABLE audit;\n",
    /permission denied for language c/,
  ],
  [
    "an event trigger that would watch the replay's own statements",
    "CREATE FUNCTION w() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n" +
      "CREATE EVENT TRIGGER w ON ddl_command_end EXECUTE FUNCTION w();\nDROP TABLE audit;\n",
    /permission denied to create event trigger/,
  ],
])("the way back to the superuser: %s", async (_name, down, reason) => {
  await expectRefused(down, reason);
});
