/**
 * Replay of Postgres migrations on a real PostgreSQL server (MW_TEST_POSTGRES_URL): the same
 * result as PGlite for the same change, the wipe, the marker safeguard, refused accounts, roles
 * that exist only in production, and COPY FROM STDIN.
 */
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import type pg from "pg";
import { cliDatabases } from "../../src/replay/external/select.js";
import { MemoryCache } from "../../src/replay/index.js";
import { runScenario, summary, type ReplayRun, type Scenario } from "./support.js";
import { describeServer, postgresAdmin, testServer } from "./servers.js";

const VAR = "MW_TEST_POSTGRES_URL";
const server = testServer(VAR, "MW_TEST_POSTGRES_ADMIN_URL");
jest.setTimeout(120_000);

const BASE = {
  "1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
  "1_users.down.sql": "DROP TABLE users;\n",
  "2_orders.up.sql":
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n" +
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n" +
    "CREATE TYPE status AS ENUM ('new', 'paid');\n",
  "2_orders.down.sql": "DROP TYPE status;\nDROP TABLE orders;\n",
};
const onServer = (add: Record<string, string>, extra: Partial<Scenario> = {}) =>
  runScenario({ base: BASE, add, databases: server!.databases, ...extra });
const pgliteCache = new MemoryCache();
const onPglite = (add: Record<string, string>) =>
  runScenario({ base: BASE, add, cache: pgliteCache });

let db: pg.Client;

async function relations(): Promise<string[]> {
  const r = await db.query<{ n: string }>(
    `SELECT n.nspname || '.' || c.relname AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_' AND c.relkind IN ('r','v','S')
      ORDER BY 1`,
  );
  return r.rows.map((x) => x.n);
}

/** What must not differ between engines: findings (rule, file, line) and the schema facts. */
function facts(r: ReplayRun) {
  return {
    findings: summary(r.findings),
    schemaDiff: r.data!.schemaDiff,
    downChecks: r.data!.downChecks,
    reupDifferences: r.data!.reupDifferences,
    locks: r.data!.ups.map((u) => u.statements.map((s) => [s.line, s.locks])),
  };
}

describeServer(server, VAR)("Postgres replay on a server", () => {
  beforeAll(async () => {
    db = await postgresAdmin(server!.url);
    await db.query("DROP OWNED BY CURRENT_USER");
  });
  afterAll(async () => {
    await db?.end();
  });

  test("the same change gives the same findings, schema diff and locks as PGlite", async () => {
    const change = {
      "3_change.up.sql":
        "ALTER TABLE users ADD COLUMN name text;\n" +
        "CREATE INDEX users_email_idx ON users (email);\n" +
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n" +
        "ALTER TABLE orders ADD COLUMN state status NOT NULL DEFAULT 'new';\n",
      // Forgets the index.
      "3_change.down.sql":
        "ALTER TABLE orders DROP COLUMN state;\nALTER TABLE users DROP COLUMN name;\n",
    };
    const server = await onServer(change);
    const pglite = await onPglite(change);
    expect(server.data!.engine).toMatch(
      /^PostgreSQL \d+\.\d+ \(postgres:\/\/mw@127\.0\.0\.1:\d+\/\w+\)$/,
    );
    expect(pglite.data!.engine).toMatch(/^PGlite /);
    expect(facts(server)).toEqual(facts(pglite));
    // And what they agree on is what happened.
    expect(facts(server).findings).toEqual([
      "down-does-not-restore-schema 3_change.down.sql:1",
      "lock-access-exclusive 3_change.up.sql:1",
      "up-not-reapplicable 3_change.up.sql:2",
      "lock-access-exclusive 3_change.up.sql:4",
    ]);
    expect(server.data!.ups[0]!.statements[1]!.locks).toEqual([
      { relation: "public.users", relationKind: "table", mode: "ShareLock" },
    ]);
    expect(JSON.stringify(server.report)).not.toContain("mw-test-password");
    expect(await relations()).toEqual(["public.migration_warden_sandbox"]);
  });

  test("an up that fails rolls the whole file back, as the implicit transaction does", async () => {
    const change = {
      "3_bad.up.sql":
        "ALTER TABLE users ADD COLUMN a text;\n\nALTER TABLE users DROP COLUMN nope;\n",
      "3_bad.down.sql": "ALTER TABLE users DROP COLUMN a;\n",
    };
    const r = await onServer(change);
    expect(summary(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive"))).toEqual([
      "replay-up-failed 3_bad.up.sql:3",
    ]);
    expect(r.data!.ups[0]!.leftApplied).toBeUndefined();
    expect(facts(r)).toEqual(facts(await onPglite(change)));
  });

  test("the wipe: everything the account owns goes (schemas, types, functions, extensions)", async () => {
    await db.query(
      "UPDATE migration_warden_sandbox SET state = 'replaying';" +
        "CREATE SCHEMA leftover; CREATE TABLE leftover.t (id int); CREATE TYPE mood AS ENUM ('ok');" +
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE EXTENSION IF NOT EXISTS pgcrypto;",
    );
    const r = await onServer({
      "3_t.up.sql": "CREATE TABLE t (id int);\n",
      "3_t.down.sql": "DROP TABLE t;\n",
    });
    expect(r.findings).toEqual([]);
    expect(r.data!.schemaDiff!.map((c) => `${c.change} ${c.kind} ${c.name}`)).toEqual([
      "added table public.t",
      "added column public.t.id",
    ]);
    const left = await db.query(
      "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname IN ('leftover')) AS schemas, (SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto') AS ext, (SELECT count(*) FROM pg_proc WHERE proname = 'f') AS fns",
    );
    expect(left.rows[0]).toEqual({ schemas: "0", ext: "0", fns: "0" });
    expect(await relations()).toEqual(["public.migration_warden_sandbox"]);
    expect((await db.query("SELECT state FROM migration_warden_sandbox")).rows).toEqual([
      { state: "clean" },
    ]);
  });

  test("the marker safeguard: objects without the marker, or appearing after a clean replay, are refused", async () => {
    const add = { "3_t.up.sql": "CREATE TABLE t (id int);\n", "3_t.down.sql": "DROP TABLE t;\n" };
    await db.query("DROP TABLE migration_warden_sandbox; CREATE TABLE precious (id int)");
    const refused = await onServer(add);
    expect(refused.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ["replay-skipped", "error"],
    ]);
    expect(refused.findings[0]!.message).toContain(
      "the database is not empty (table public.precious) and has no migration_warden_sandbox table",
    );
    expect(await relations()).toEqual(["public.precious"]);

    await db.query("CREATE TABLE migration_warden_sandbox ()");
    expect((await onServer(add)).findings).toEqual([]);
    expect(await relations()).toEqual(["public.migration_warden_sandbox"]);

    await db.query("CREATE VIEW someone_elses AS SELECT 1 AS x");
    const later = await onServer(add);
    expect(later.findings[0]!.severity).toBe("error");
    expect(later.findings[0]!.message).toContain(
      "objects appeared since migration-warden's last replay",
    );
    await db.query("DROP VIEW someone_elses");
  });

  test("a superuser account is refused", async () => {
    if (!server!.adminUrl) {
      console.warn("SKIPPED: MW_TEST_POSTGRES_ADMIN_URL is not set");
      return;
    }
    const r = await onServer(
      { "3_t.up.sql": "CREATE TABLE t (id int);\n", "3_t.down.sql": "DROP TABLE t;\n" },
      { databases: cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: server!.adminUrl }) },
    );
    expect(r.findings[0]!.severity).toBe("error");
    expect(r.findings[0]!.message).toContain("the account is a superuser");
    expect(r.findings[0]!.message).toContain("the account does not own the database");
  });

  test("a role that exists only in production stops the replay with a notice, not an error", async () => {
    const r = await onServer({
      "3_grant.up.sql": "GRANT SELECT ON users TO reporting_ro;\n",
      "3_grant.down.sql": "REVOKE SELECT ON users FROM reporting_ro;\n",
    });
    expect(summary(r.findings)).toEqual(["replay-skipped 3_grant.up.sql:1"]);
    expect(r.findings[0]!.severity).toBe("notice");
    expect(r.findings[0]!.message).toContain(
      'role "reporting_ro" does not exist on postgres://mw@',
    );
  });

  test("COPY FROM STDIN fails at once instead of waiting for data", async () => {
    const r = await onServer({
      "3_copy.up.sql": "CREATE TABLE c (x int);\nCOPY c FROM STDIN;\n",
      "3_copy.down.sql": "DROP TABLE c;\n",
    });
    expect(summary(r.findings)).toEqual(["replay-up-failed 3_copy.up.sql:2"]);
  });

  test("a statement over replay.statementTimeoutMs is cancelled by the server; with the timeout turned off, by the watchdog", async () => {
    const slow = await onServer(
      { "3_slow.up.sql": "SELECT pg_sleep(20);\n", "3_slow.down.sql": "SELECT 1;\n" },
      { replay: { statementTimeoutMs: 1000 } },
    );
    expect(summary(slow.findings)).toEqual(["replay-up-failed 3_slow.up.sql:1"]);
    expect(slow.findings[0]!.severity).toBe("warning");
    const started = Date.now();
    const evasive = await onServer(
      {
        "3_slow.up.sql": "SET statement_timeout = 0;\nSELECT pg_sleep(60);\n",
        "3_slow.down.sql": "SELECT 1;\n",
      },
      { replay: { statementTimeoutMs: 1000 } },
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(summary(evasive.findings)).toEqual(["replay-up-failed 3_slow.up.sql:2"]);
    expect(evasive.findings[0]!.message).toContain("did not finish within 1000 ms");
    // The next replay finds the marker at "replaying" and wipes what was left.
    const next = await onServer({
      "3_t.up.sql": "CREATE TABLE t (id int);\n",
      "3_t.down.sql": "DROP TABLE t;\n",
    });
    expect(next.findings).toEqual([]);
  });
});
