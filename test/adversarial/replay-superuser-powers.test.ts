/**
 * The sandbox replays as the database's owner (a role named `postgres` with CREATEROLE and
 * CREATEDB, like a managed server's master account), not as a superuser. Both sides of that:
 * what such an account does in production still replays (PGlite's contrib extensions, roles the
 * migration creates, objects given to roles), and what needs a superuser is a limitation (a
 * warning on the statement, the rest unverified), never a `replay-up-failed` error nor a pass.
 */
import { expect, jest, test } from "@jest/globals";
import { BASES, runScenario, summary, testCache } from "../replay/support.js";

jest.setTimeout(600_000);

const cache = testCache();
const replay = (add: Record<string, string>, base: Record<string, string> = BASES.pglite) =>
  runScenario({ base, cache, add });
const notLocks = (r: Awaited<ReturnType<typeof replay>>) =>
  r.findings.filter((f) => f.ruleId !== "lock-access-exclusive");

test("migrations run as the owner role postgres, which is no superuser", async () => {
  const r = await replay({
    "3_who.up.sql":
      "DO $$ BEGIN\n" +
      "  IF current_user <> 'postgres' OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)\n" +
      "     OR (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) <> 'postgres'\n" +
      "  THEN RAISE EXCEPTION 'replayed as %', current_user; END IF;\n" +
      "END $$;\n",
    "3_who.down.sql": "SELECT 1;\n",
  });
  expect(r.findings).toEqual([]);
  expect(r.data!.ups.map((u) => u.ok)).toEqual([true]);
});

test("PGlite's contrib extensions, superuser-only elsewhere, are created on the owner's behalf", async () => {
  const r = await replay({
    "3_ext.up.sql":
      "CREATE EXTENSION bloom;\nCREATE EXTENSION pg_buffercache;\nCREATE EXTENSION pageinspect;\n" +
      "CREATE EXTENSION citext;\nCREATE INDEX users_bloom ON users USING bloom (email);\n",
    "3_ext.down.sql":
      "DROP INDEX users_bloom;\nDROP EXTENSION citext;\nDROP EXTENSION pageinspect;\n" +
      "DROP EXTENSION pg_buffercache;\nDROP EXTENSION bloom;\n",
  });
  expect(notLocks(r)).toEqual([]);
  expect(r.data!.downs.map((d) => d.ok)).toEqual([true]);
  expect(r.data!.reups.map((d) => d.ok)).toEqual([true]);
  // Their functions stay the superuser's: the owner cannot call what the extension keeps from PUBLIC.
  const call = await replay({
    "3_ext.up.sql": "CREATE EXTENSION pageinspect;\nSELECT get_raw_page('users', 0);\n",
    "3_ext.down.sql": "DROP EXTENSION pageinspect;\n",
  });
  expect(summary(call.findings)).toEqual(["replay-skipped 3_ext.up.sql:2"]);
});

test("roles: created by the migration, given objects, and postgres as an owner", async () => {
  // (A new owner needs CREATE on the schema, as on any server where the migrations' account is
  // no superuser.)
  const r = await replay({
    "3_roles.up.sql":
      "CREATE ROLE app_reader NOLOGIN;\nGRANT CREATE ON SCHEMA public TO app_reader, ops_owner;\n" +
      "CREATE TABLE reports (id bigint);\n" +
      "ALTER TABLE reports OWNER TO app_reader;\nALTER TABLE accounts OWNER TO ops_owner;\n" +
      "GRANT SELECT ON users TO app_reader;\nALTER TABLE users OWNER TO postgres;\n",
    "3_roles.down.sql":
      "ALTER TABLE accounts OWNER TO postgres;\nDROP TABLE reports;\nREVOKE SELECT ON users FROM app_reader;\n" +
      "REVOKE CREATE ON SCHEMA public FROM app_reader, ops_owner;\nDROP ROLE app_reader;\n",
  });
  expect(notLocks(r)).toEqual([]);
  expect(r.data!.rolesCreated).toEqual(["ops_owner"]);
  expect(r.data!.reups.map((d) => d.ok)).toEqual([true]);
});

test("an event trigger in the change is a limitation (warning), not replay-up-failed", async () => {
  const r = await replay({
    "3_et.up.sql":
      "CREATE FUNCTION audit_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n" +
      "CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION audit_ddl();\n",
    "3_et.down.sql": "DROP EVENT TRIGGER audit_ddl;\nDROP FUNCTION audit_ddl();\n",
  });
  expect(r.findings.map((f) => [f.ruleId, f.severity, f.startLine])).toEqual([
    ["replay-skipped", "warning", 2],
  ]);
  expect(r.findings[0]!.message).toMatch(/not as a superuser.*event trigger/);
});

test("the same in the merged history skips the replay with a notice, like a missing extension", async () => {
  const r = await replay(
    { "4_col.up.sql": "SELECT 1;\n", "4_col.down.sql": "SELECT 1;\n" },
    {
      ...BASES.pglite,
      "3_et.up.sql":
        "CREATE FUNCTION audit_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n" +
        "CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION audit_ddl();\n",
    },
  );
  expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([["replay-skipped", "notice"]]);
});

test("a migration that raises insufficient_privilege itself fails: an error, not a limitation", async () => {
  const r = await replay({
    "3_x.up.sql": "CREATE TABLE t (id int);\n",
    "3_x.down.sql":
      "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'must be superuser'; END $$;\n",
  });
  expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([["replay-down-failed", "error"]]);
});
