/**
 * The replay engines in one table. A row is one behaviour; its cells are the engines (PGlite,
 * sql.js, a PostgreSQL server, a MySQL/MariaDB server), each with its own change (its dialect)
 * and its own assertions. The servers are the ones .ci/start-databases.sh starts
 * (MW_TEST_POSTGRES_URL, MW_TEST_MYSQL_URL): without them their cells are skipped and say why.
 *
 * The second table is the servers' sandbox protocol (the wipe, the marker, accounts, what the
 * server may ask of the client, concurrency). Every test that touches a replay server's database
 * lives in this file, which is why it is long: a test in another file could run at the same time
 * and see this one's setup. Behaviours of one
 * engine alone stay in postgres.test.ts, sqlite.test.ts and sandbox.test.ts.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import type pg from "pg";
import { cliDatabases } from "../../src/replay/external/select.js";
import {
  BASES,
  runScenario,
  summary,
  testCache,
  type ReplayRun,
  type Scenario,
} from "./support.js";
import { mysqlAdmin, postgresAdmin, testServer, type TestServer } from "./servers.js";

jest.setTimeout(120_000);

type EngineId = "pglite" | "sqljs" | "postgres-server" | "mysql-server";
type Change = Record<string, string>;

const PG = testServer("MW_TEST_POSTGRES_URL", "MW_TEST_POSTGRES_ADMIN_URL");
const MY = testServer("MW_TEST_MYSQL_URL", "MW_TEST_MYSQL_ADMIN_URL");

// One cache per base for the file: every PGlite or sql.js cell restores the same base state.
const caches = { pglite: testCache(), sqlite: testCache(), pgliteForServer: testCache() };

interface Engine {
  /** Why its cells do not run here, or null. */
  missing: string | null;
  run(add: Change, extra?: Partial<Scenario>): Promise<ReplayRun>;
}

const ENGINES: Record<EngineId, Engine> = {
  pglite: {
    missing: null,
    run: (add, extra = {}) =>
      runScenario({ base: BASES.pglite, add, cache: caches.pglite, ...extra }),
  },
  sqljs: {
    missing: null,
    run: (add, extra = {}) =>
      runScenario({ base: BASES.sqlite, add, cache: caches.sqlite, dialect: "sqlite", ...extra }),
  },
  "postgres-server": {
    missing: PG ? null : "MW_TEST_POSTGRES_URL not set",
    run: (add, extra = {}) =>
      runScenario({ base: BASES.postgresServer, add, databases: PG!.databases, ...extra }),
  },
  "mysql-server": {
    missing: MY ? null : "MW_TEST_MYSQL_URL not set",
    run: (add, extra = {}) =>
      runScenario({
        base: BASES.mysql,
        add,
        dialect: "mysql",
        databases: MY!.databases,
        ...extra,
      }),
  },
};

/** The same change on PGlite, for comparing a PostgreSQL server with it. */
const onPglite = (add: Change) =>
  runScenario({ base: BASES.postgresServer, add, cache: caches.pgliteForServer });

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

const withoutLocks = (r: ReplayRun) =>
  r.findings.filter((f) => f.ruleId !== "lock-access-exclusive");
const changed = (r: ReplayRun) => r.data!.schemaDiff!.map((c) => `${c.change} ${c.kind} ${c.name}`);

// Direct connections for setting up and inspecting the servers' databases.
let pgdb: pg.Client | undefined;
let mydb: mysql.Connection | undefined;

beforeAll(async () => {
  if (PG) {
    pgdb = await postgresAdmin(PG.url);
    await pgdb.query("DROP OWNED BY CURRENT_USER");
  }
  if (MY) {
    mydb = await mysqlAdmin(MY.url);
    // Start from the state a previous replay leaves (or a fresh database).
    const [rows] = await mydb.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    );
    if (rows.length > 0)
      await mydb.query(
        `SET FOREIGN_KEY_CHECKS = 0; DROP TABLE ${rows.map((r) => `\`${String(r.t)}\``).join(", ")}; SET FOREIGN_KEY_CHECKS = 1`,
      );
  }
});
afterAll(async () => {
  await pgdb?.end();
  await mydb?.end();
});

/** Relations (tables, views, sequences) in the Postgres server's database. */
async function pgRelations(): Promise<string[]> {
  const r = await pgdb!.query<{ n: string }>(
    `SELECT n.nspname || '.' || c.relname AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_' AND c.relkind IN ('r','v','S')
      ORDER BY 1`,
  );
  return r.rows.map((x) => x.n);
}

async function mysqlTables(): Promise<string[]> {
  const [rows] = await mydb!.query<mysql.RowDataPacket[]>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
  );
  return rows.map((r) => String(r.t));
}

async function marker(db: "postgres" | "mysql"): Promise<string> {
  if (db === "postgres")
    return (await pgdb!.query<{ state: string }>("SELECT state FROM migration_warden_sandbox")).rows
      .map((r) => r.state)
      .join(",");
  const [rows] = await mydb!.query<mysql.RowDataPacket[]>(
    "SELECT state FROM migration_warden_sandbox",
  );
  return rows.map((r) => String(r.state)).join(",");
}

type Cell = (engine: Engine) => Promise<void>;
interface Row {
  name: string;
  cells: Partial<Record<EngineId, Cell>>;
}

/** One test per cell, named "<row> [<engine>]"; a cell whose engine is missing is skipped. */
function table(rows: readonly Row[]): void {
  for (const row of rows) {
    describe(row.name, () => {
      for (const [id, cell] of Object.entries(row.cells) as Array<[EngineId, Cell]>) {
        const engine = ENGINES[id];
        if (engine.missing) test.skip(`[${id}] (skipped: ${engine.missing})`, () => undefined);
        else test(`[${id}]`, () => cell(engine));
      }
    });
  }
}

const SECRETS = ["mw-test-password", "mw-admin-password"];
const noSecret = (r: ReplayRun) => {
  for (const s of SECRETS) expect(JSON.stringify(r.report)).not.toContain(s);
};

/** A merged migration that alters golang-migrate's version table, then a change on top. */
const versionTable = (dialect: "pg" | "mysql" | "sqlite", table = "schema_migrations") => ({
  base: {
    "3_audit.up.sql":
      dialect === "sqlite"
        ? `ALTER TABLE ${table} ADD COLUMN applied_at TEXT;\n`
        : `ALTER TABLE ${table} ADD COLUMN applied_at ${dialect === "pg" ? "timestamptz" : "datetime"} NULL;\n`,
    "3_audit.down.sql": `ALTER TABLE ${table} DROP COLUMN applied_at;\n`,
  },
  add: {
    "4_note.up.sql": "ALTER TABLE users ADD COLUMN note varchar(10) NULL;\n",
    "4_note.down.sql": "ALTER TABLE users DROP COLUMN note;\n",
  },
});

/** A change that applies on every engine's base. */
const T = { "3_t.up.sql": "CREATE TABLE t (id int);\n", "3_t.down.sql": "DROP TABLE t;\n" };

/**
 * A server's statement timeout turned off by the migration (`up`: that, then a long statement on
 * line 2): the watchdog kills the session a grace period (5 s in production, 1 s here: the wait is
 * all this case would cost) after replay.statementTimeoutMs, not after the statement's 60 s, and
 * the next replay finds the marker at "replaying" and wipes what was left.
 */
async function watchdogStops(e: Engine, up: string): Promise<void> {
  const started = Date.now();
  const evasive = await e.run(
    { "3_slow.up.sql": up, "3_slow.down.sql": "SELECT 1;\n" },
    { replay: { statementTimeoutMs: 1000 }, serverGraceMs: 1000 },
  );
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(summary(evasive.findings)).toEqual(["replay-up-failed 3_slow.up.sql:2"]);
  expect(evasive.findings[0]!.message).toContain("did not finish within 1000 ms");
  const next = await e.run(T);
  expect(next.findings).toEqual([]);
}

/**
 * A down that forgets the index its up creates: the down does not restore the schema and the up
 * cannot run again, with each engine's wording of the two findings.
 */
const forgottenIndex =
  (version: number, index: string, [downMessage, upMessage]: [string, string?]): Cell =>
  async (e) => {
    const r = await e.run({
      [`${version}_idx.up.sql`]: `CREATE INDEX ${index} ON users (email);\n`,
      [`${version}_idx.down.sql`]: "SELECT 1;\n",
    });
    expect(summary(r.findings)).toEqual([
      `down-does-not-restore-schema ${version}_idx.down.sql:1`,
      `up-not-reapplicable ${version}_idx.up.sql:1`,
    ]);
    expect(r.findings[0]!.message).toContain(downMessage);
    if (upMessage !== undefined) expect(r.findings[1]!.message).toContain(upMessage);
  };

table([
  {
    name: "golang-migrate's version table exists before the first migration, as in production",
    cells: {
      pglite: async (e) => {
        const { base, add } = versionTable("pg");
        const r = await e.run(add, { base: { ...BASES.pglite, ...base }, cache: testCache() });
        expect(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive")).toEqual([]);
        expect(r.data!.base.applied).toBe(3);
        // Named by directories[].migrationsTable (golang-migrate's x-migrations-table).
        const custom = versionTable("pg", "db_version");
        const c = await e.run(custom.add, {
          base: { ...BASES.pglite, ...custom.base },
          migrationsTable: "db_version",
          cache: testCache(),
        });
        expect(c.findings.filter((f) => f.ruleId !== "lock-access-exclusive")).toEqual([]);
        const wrong = await e.run(custom.add, {
          base: { ...BASES.pglite, ...custom.base },
          cache: testCache(),
        });
        expect(wrong.findings.map((f) => f.ruleId)).toContain("replay-skipped");
      },
      sqljs: async (e) => {
        const { base, add } = versionTable("sqlite");
        const r = await e.run(add, { base: { ...BASES.sqlite, ...base }, cache: testCache() });
        expect(r.findings).toEqual([]);
        expect(r.data!.base.applied).toBe(2);
      },
      "postgres-server": async (e) => {
        const { base, add } = versionTable("pg");
        const r = await e.run(add, { base: { ...BASES.postgresServer, ...base } });
        expect(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive")).toEqual([]);
        expect(r.data!.base.applied).toBe(3);
      },
      "mysql-server": async (e) => {
        const { base, add } = versionTable("mysql");
        const r = await e.run(add, { base: { ...BASES.mysql, ...base } });
        expect(r.findings).toEqual([]);
        expect(r.data!.base.applied).toBe(3);
      },
    },
  },
  {
    name: "a correct up/down pair: applied, the schema restored, the difference in the section",
    cells: {
      pglite: async (e) => {
        const r = await e.run({
          "3_name.up.sql": "ALTER TABLE users ADD COLUMN name text;\n",
          "3_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
        });
        expect(withoutLocks(r)).toEqual([]);
        expect(r.data!.schemaDiff).toEqual([
          expect.objectContaining({ kind: "column", name: "public.users.name", change: "added" }),
        ]);
        expect(r.data!.downChecks).toEqual([]);
        expect(r.data!.reupDifferences).toEqual([]);
        expect(r.section!.markdown).toContain("| + | column | `users.name` | text |");
        expect(r.reads).toEqual(["migrations/1_users.up.sql", "migrations/2_orders.up.sql"]);
        // The base state comes from the cache next time.
        const again = await e.run({ "3_x.up.sql": "SELECT 1;\n", "3_x.down.sql": "SELECT 1;\n" });
        expect(again.data!.fromCache).toBe(true);
        expect(again.reads).toEqual([]);
      },
      sqljs: async (e) => {
        const r = await e.run({
          "2_name.up.sql":
            "ALTER TABLE users ADD COLUMN name TEXT;\nCREATE UNIQUE INDEX users_email ON users (email);\n",
          "2_name.down.sql": "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN name;\n",
        });
        expect(r.findings).toEqual([]);
        expect(r.data!.engine).toMatch(/^sql\.js 1\.16\.0 \(SQLite 3\.\d+/);
        expect(changed(r)).toEqual(["added column users.name", "added index users_email"]);
        expect(r.data!.ups[0]!.statements.map((s) => s.line)).toEqual([1, 2]);
        expect(r.data!.reupDifferences).toEqual([]);
      },
      "mysql-server": async (e) => {
        const r = await e.run({
          "3_name.up.sql": "ALTER TABLE users ADD COLUMN name varchar(100) NULL;\n",
          "3_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
        });
        expect(r.findings).toEqual([]);
        expect(r.data!.engine).toMatch(
          /^(MariaDB|MySQL) \d+\.\d+\.\d+ \(mysql:\/\/mw@127\.0\.0\.1:\d+\/\w+\)$/,
        );
        expect(r.data!.schemaDiff).toEqual([
          expect.objectContaining({ kind: "column", name: "users.name", change: "added" }),
        ]);
        expect(r.data!.downChecks).toEqual([]);
        expect(r.data!.reupDifferences).toEqual([]);
        expect(r.section!.markdown).toContain("without a transaction, like golang-migrate");
        expect(r.section!.markdown).toContain("Locks not observed");
        noSecret(r);
        // The database is left empty but for the marker, which says so.
        expect(await mysqlTables()).toEqual(["migration_warden_sandbox"]);
        expect(await marker("mysql")).toBe("clean");
      },
    },
  },
  {
    name: "a down that forgets an index: the exact difference, and the up cannot run again",
    cells: {
      pglite: forgottenIndex(3, "users_email_idx", [
        "index `users_email_idx` exists (CREATE INDEX users_email_idx ON public.users USING btree (email))",
        'relation "users_email_idx" already exists',
      ]),
      sqljs: forgottenIndex(2, "users_email", ["index `users_email` exists"]),
      "postgres-server": async (e) => {
        // Beside the forgotten index: a lock of each strength, an enum column. Same as PGlite.
        const change = {
          "3_change.up.sql":
            "ALTER TABLE users ADD COLUMN name text;\n" +
            "CREATE INDEX users_email_idx ON users (email);\n" +
            "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n" +
            "ALTER TABLE orders ADD COLUMN state status NOT NULL DEFAULT 'new';\n",
          "3_change.down.sql":
            "ALTER TABLE orders DROP COLUMN state;\nALTER TABLE users DROP COLUMN name;\n",
        };
        const server = await e.run(change);
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
        noSecret(server);
        expect(await pgRelations()).toEqual(["public.migration_warden_sandbox"]);
      },
      "mysql-server": forgottenIndex(3, "users_email_idx", [
        "index `users.users_email_idx` exists (BTREE (email))",
        "Duplicate key name 'users_email_idx'",
      ]),
    },
  },
  {
    name: "an up that fails on the merged schema: the database error on the statement's line",
    cells: {
      pglite: async (e) => {
        const r = await e.run({
          "3_bad.up.sql":
            "ALTER TABLE users ADD COLUMN a text;\n\nALTER TABLE users DROP COLUMN nope;\n",
          "3_bad.down.sql": "ALTER TABLE users DROP COLUMN a;\n",
        });
        expect(summary(withoutLocks(r))).toEqual(["replay-up-failed 3_bad.up.sql:3"]);
        const f = r.findings.find((x) => x.ruleId === "replay-up-failed")!;
        expect(f.message).toContain('column "nope" of relation "users" does not exist');
        expect(f.message).toContain("SQLSTATE 42703");
        // Nothing after a failing up is replayed.
        expect(r.data!.downs).toEqual([]);
      },
      sqljs: async (e) => {
        // The file's transaction is rolled back.
        const r = await e.run({
          "2_bad.up.sql":
            "CREATE TABLE tags (id INTEGER);\n\nALTER TABLE nope ADD COLUMN x TEXT;\n",
          "2_bad.down.sql": "DROP TABLE tags;\n",
        });
        expect(summary(r.findings)).toEqual(["replay-up-failed 2_bad.up.sql:3"]);
        expect(r.findings[0]!.message).toContain("no such table: nope");
      },
      "postgres-server": async (e) => {
        // The whole file rolls back, as the implicit transaction does.
        const change = {
          "3_bad.up.sql":
            "ALTER TABLE users ADD COLUMN a text;\n\nALTER TABLE users DROP COLUMN nope;\n",
          "3_bad.down.sql": "ALTER TABLE users DROP COLUMN a;\n",
        };
        const r = await e.run(change);
        expect(summary(withoutLocks(r))).toEqual(["replay-up-failed 3_bad.up.sql:3"]);
        expect(r.data!.ups[0]!.leftApplied).toBeUndefined();
        expect(facts(r)).toEqual(facts(await onPglite(change)));
      },
      "mysql-server": async (e) => {
        // No transaction: the statements before the failing one stay applied, and it says so.
        const r = await e.run({
          "3_half.up.sql":
            "CREATE TABLE audit (id bigint PRIMARY KEY);\n" +
            "ALTER TABLE users ADD COLUMN nickname varchar(50);\n" +
            "\n" +
            "ALTER TABLE no_such_table ADD COLUMN x int;\n" +
            "CREATE TABLE never (id int);\n",
          "3_half.down.sql": "DROP TABLE audit;\nALTER TABLE users DROP COLUMN nickname;\n",
        });
        expect(summary(r.findings)).toEqual(["replay-up-failed 3_half.up.sql:4"]);
        const f = r.findings[0]!;
        expect(f.message).toMatch(/Table '\w+\.no_such_table' doesn't exist/);
        expect(f.message).toContain("The 2 statements before it (through line 2) stayed applied");
        expect(r.data!.ups[0]!.leftApplied).toEqual({ statements: 2, lastLine: 2 });
        expect(r.data!.ups[0]!.statements.map((s) => s.line)).toEqual([1, 2]);
        expect(r.section!.markdown).toContain(
          "**failed** at line 4 (the 2 statements before it stayed applied)",
        );
        expect(await mysqlTables()).toEqual(["migration_warden_sandbox"]);
      },
    },
  },
  {
    name: "a GRANT to a role that migrations do not create (roles are made by ops)",
    cells: {
      pglite: async (e) => {
        // Created in the sandbox instead of failing.
        const r = await e.run({
          "3_grant.up.sql": "GRANT SELECT ON users TO app_reader;\n",
          "3_grant.down.sql": "REVOKE SELECT ON users FROM app_reader;\n",
        });
        expect(r.findings).toEqual([]);
        expect(r.data!.rolesCreated).toEqual(["app_reader"]);
      },
      "postgres-server": async (e) => {
        // Not created on the user's server: the replay stops with a warning (what follows is
        // unverified), not an error.
        const r = await e.run({
          "3_grant.up.sql": "GRANT SELECT ON users TO reporting_ro;\n",
          "3_grant.down.sql": "REVOKE SELECT ON users FROM reporting_ro;\n",
        });
        expect(summary(r.findings)).toEqual(["replay-skipped 3_grant.up.sql:1"]);
        expect(r.findings[0]!.severity).toBe("warning");
        expect(r.findings[0]!.message).toContain(
          'role "reporting_ro" does not exist on postgres://mw@',
        );
      },
    },
  },
  {
    name: "a statement over replay.statementTimeoutMs is stopped and reported as a warning",
    cells: {
      pglite: async (e) => {
        // PGlite cannot interrupt itself: the host terminates the worker.
        const r = await e.run(
          { "3_loop.up.sql": "DO $$ BEGIN LOOP END LOOP; END $$;\n" },
          { replay: { statementTimeoutMs: 1500 } },
        );
        expect(r.findings).toEqual([
          expect.objectContaining({
            ruleId: "replay-up-failed",
            severity: "warning",
            startLine: 1,
          }),
        ]);
        expect(r.findings[0]!.message).toContain("did not finish within 1500 ms");
      },
      "postgres-server": async (e) => {
        // Cancelled by the server; with the timeout turned off, by the watchdog.
        const slow = await e.run(
          { "3_slow.up.sql": "SELECT pg_sleep(20);\n", "3_slow.down.sql": "SELECT 1;\n" },
          { replay: { statementTimeoutMs: 1000 } },
        );
        expect(summary(slow.findings)).toEqual(["replay-up-failed 3_slow.up.sql:1"]);
        expect(slow.findings[0]!.severity).toBe("warning");
        await watchdogStops(e, "SET statement_timeout = 0;\nSELECT pg_sleep(60);\n");
      },
      "mysql-server": async (e) => {
        // Stopped by the server, or by the watchdog when the migration turns that off.
        const slow = await e.run(
          {
            "3_slow.up.sql": "CREATE TABLE s (id int);\nSELECT SLEEP(20);\n",
            "3_slow.down.sql": "DROP TABLE s;\n",
          },
          { replay: { statementTimeoutMs: 1000 } },
        );
        expect(summary(slow.findings)).toEqual(["replay-up-failed 3_slow.up.sql:2"]);
        expect(slow.findings[0]!.severity).toBe("warning");
        expect(slow.findings[0]!.message).toContain("did not finish within 1000 ms");

        const [v] = await mydb!.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
        const off = /mariadb/i.test(String(v[0]!.v))
          ? "SET SESSION max_statement_time = 0"
          : "SET SESSION max_execution_time = 0";
        await watchdogStops(e, `${off};\nDO SLEEP(60);\n`);
      },
    },
  },
]);

/** The account with every privilege on the server, or null after saying the test is skipped. */
function admin(server: TestServer | null, variable: string): string | null {
  if (!server?.adminUrl) console.warn(`SKIPPED: ${variable} is not set`);
  return server?.adminUrl ?? null;
}

/** Replaying with the server's all-powerful account is refused, saying why (`reasons`). */
const refusedAccount =
  (server: TestServer | null, variable: string, reasons: (message: string) => void): Cell =>
  async (e) => {
    const url = admin(server, variable);
    if (!url) return;
    const r = await e.run(T, {
      databases: cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: url }),
    });
    expect(r.findings[0]!.severity).toBe("error");
    reasons(r.findings[0]!.message);
    noSecret(r);
  };

/** Two replays at once: both correct (names in the diff start with `qualifier`). */
const twoAtOnce =
  (qualifier: string): Cell =>
  async (e) => {
    const [a, b] = await Promise.all([
      e.run({ "3_a.up.sql": "CREATE TABLE a (id int);\n", "3_a.down.sql": "DROP TABLE a;\n" }),
      e.run({ "3_b.up.sql": "CREATE TABLE b (id int);\n", "3_b.down.sql": "SELECT 1;\n" }),
    ]);
    expect(a.findings).toEqual([]);
    expect(a.data!.schemaDiff!.map((c) => c.name)).toEqual([`${qualifier}a`, `${qualifier}a.id`]);
    expect(summary(b.findings)).toEqual([
      "down-does-not-restore-schema 3_b.down.sql:1",
      "up-not-reapplicable 3_b.up.sql:1",
    ]);
    expect(b.data!.schemaDiff!.map((c) => c.name)).toEqual([`${qualifier}b`, `${qualifier}b.id`]);
  };

table([
  {
    name: "the wipe: leftovers of an interrupted replay are dropped, whatever their kind",
    cells: {
      "postgres-server": async (e) => {
        // Schemas, types, functions, extensions: everything the account owns.
        await pgdb!.query(
          "UPDATE migration_warden_sandbox SET state = 'replaying';" +
            "CREATE SCHEMA leftover; CREATE TABLE leftover.t (id int); CREATE TYPE mood AS ENUM ('ok');" +
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE EXTENSION IF NOT EXISTS pgcrypto;",
        );
        const r = await e.run(T);
        expect(r.findings).toEqual([]);
        expect(changed(r)).toEqual(["added table public.t", "added column public.t.id"]);
        const left = await pgdb!.query(
          "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname IN ('leftover')) AS schemas, (SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto') AS ext, (SELECT count(*) FROM pg_proc WHERE proname = 'f') AS fns",
        );
        expect(left.rows[0]).toEqual({ schemas: "0", ext: "0", fns: "0" });
        expect(await pgRelations()).toEqual(["public.migration_warden_sandbox"]);
        expect(await marker("postgres")).toBe("clean");
      },
      "mysql-server": async (e) => {
        // Tables with foreign keys between them, views, routines.
        await mydb!.query(
          "UPDATE migration_warden_sandbox SET state = 'replaying';" +
            "CREATE TABLE leftover (id int PRIMARY KEY);" +
            "CREATE TABLE child (id int, p int, FOREIGN KEY (p) REFERENCES leftover (id));" +
            "CREATE VIEW leftover_v AS SELECT id FROM leftover;" +
            "CREATE PROCEDURE leftover_p() SELECT 1;" +
            "CREATE FUNCTION leftover_f() RETURNS int DETERMINISTIC RETURN 1;",
        );
        const r = await e.run(T);
        expect(r.findings).toEqual([]);
        // The base schema had none of the leftovers: the diff shows only the change's table.
        expect(changed(r)).toEqual(["added table t", "added column t.id"]);
        expect(await mysqlTables()).toEqual(["migration_warden_sandbox"]);
        const [routines] = await mydb!.query<mysql.RowDataPacket[]>(
          "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
        );
        expect(routines).toEqual([]);
      },
    },
  },
  {
    name: "the marker safeguard: objects without the marker, or appearing after a clean replay, are refused",
    cells: {
      "postgres-server": async (e) => {
        await pgdb!.query("DROP TABLE migration_warden_sandbox; CREATE TABLE precious (id int)");
        const refused = await e.run(T);
        expect(refused.findings.map((f) => [f.ruleId, f.severity])).toEqual([
          ["replay-skipped", "error"],
        ]);
        expect(refused.findings[0]!.message).toContain(
          "the database is not empty (table public.precious) and has no migration_warden_sandbox table",
        );
        expect(await pgRelations()).toEqual(["public.precious"]);

        // Opting the database in by hand: the next replay wipes it.
        await pgdb!.query("CREATE TABLE migration_warden_sandbox ()");
        expect((await e.run(T)).findings).toEqual([]);
        expect(await pgRelations()).toEqual(["public.migration_warden_sandbox"]);

        await pgdb!.query("CREATE VIEW someone_elses AS SELECT 1 AS x");
        const later = await e.run(T);
        expect(later.findings[0]!.severity).toBe("error");
        expect(later.findings[0]!.message).toContain(
          "objects appeared since migration-warden's last replay",
        );
        await pgdb!.query("DROP VIEW someone_elses");
      },
      "mysql-server": async (e) => {
        await mydb!.query("DROP TABLE migration_warden_sandbox; CREATE TABLE precious (id int)");
        const refused = await e.run(T);
        expect(summary(refused.findings)).toEqual(["replay-skipped 3_t.up.sql:1"]);
        expect(refused.findings[0]!.severity).toBe("error");
        expect(refused.findings[0]!.message).toContain(
          "the database is not empty (table precious) and has no migration_warden_sandbox table",
        );
        expect(await mysqlTables()).toEqual(["precious"]);

        // Opting the database in by hand: the next replay wipes it.
        await mydb!.query("CREATE TABLE migration_warden_sandbox (anything int)");
        const opted = await e.run(T);
        expect(opted.findings).toEqual([]);
        expect(await mysqlTables()).toEqual(["migration_warden_sandbox"]);
        expect(await marker("mysql")).toBe("clean");

        // Something else starts using the database after a replay left it clean: refused.
        await mydb!.query("CREATE TABLE someone_elses (id int)");
        const later = await e.run(T);
        expect(later.findings[0]!.severity).toBe("error");
        expect(later.findings[0]!.message).toContain(
          "objects appeared since migration-warden's last replay left it empty (table someone_elses)",
        );
        expect(await mysqlTables()).toEqual(["migration_warden_sandbox", "someone_elses"]);
        await mydb!.query("DROP TABLE someone_elses");
      },
    },
  },
  {
    name: "an account that reaches beyond its database is refused",
    cells: {
      "postgres-server": refusedAccount(PG, "MW_TEST_POSTGRES_ADMIN_URL", (message) => {
        expect(message).toContain("the account is a superuser");
        expect(message).toContain("the account does not own the database");
      }),
      "mysql-server": refusedAccount(MY, "MW_TEST_MYSQL_ADMIN_URL", (message) =>
        expect(message).toMatch(/the account has global privileges \([A-Z ,]*FILE/),
      ),
    },
  },
  {
    name: "a migration cannot make the client send data: COPY FROM STDIN, LOAD DATA LOCAL INFILE",
    cells: {
      "postgres-server": async (e) => {
        // Fails at once instead of waiting for data (node-postgres has none to send).
        const r = await e.run({
          "3_copy.up.sql": "CREATE TABLE c (x int);\nCOPY c FROM STDIN;\n",
          "3_copy.down.sql": "DROP TABLE c;\n",
        });
        expect(summary(r.findings)).toEqual(["replay-up-failed 3_copy.up.sql:2"]);
      },
      "mysql-server": async (e) => {
        // Cannot read a file of the host running migration-warden.
        const dir = mkdtempSync(join(tmpdir(), "mw-infile-"));
        const secret = join(dir, "secret.txt");
        writeFileSync(secret, "TOP-SECRET-LINE-4711\n");
        try {
          const r = await e.run({
            "3_read.up.sql": `CREATE TABLE loot (line text);\nLOAD DATA LOCAL INFILE '${secret}' INTO TABLE loot;\n`,
            "3_read.down.sql": "DROP TABLE loot;\n",
          });
          expect(summary(r.findings)).toEqual(["replay-up-failed 3_read.up.sql:2"]);
          expect(r.findings[0]!.message).toMatch(/local infile|LOCAL INFILE|not allowed/i);
          expect(JSON.stringify(r.report)).not.toContain("TOP-SECRET-LINE-4711");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
  },
  {
    name: "two replays at once on the same database run one after the other, both correct",
    cells: {
      "postgres-server": twoAtOnce("public."),
      "mysql-server": twoAtOnce(""),
    },
  },
]);
