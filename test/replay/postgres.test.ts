/** Sandbox replay on PGlite, through the worker, as the CLI and the app run it. */
import { describe, expect, jest, test } from "@jest/globals";
import { MemoryCache } from "../../src/replay/index.js";
import { runScenario, summary } from "./support.js";

// One cache for the file: every scenario on BASE restores the same snapshot (PGlite starts once).
const cache = new MemoryCache();
const BASE = {
  "1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
  "1_users.down.sql": "DROP TABLE users;\n",
  "2_orders.up.sql":
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n" +
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n" +
    "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
  "2_orders.down.sql": "DROP TABLE accounts;\nDROP TABLE orders;\n",
};
const run = (add: Record<string, string>, extra: Partial<Parameters<typeof runScenario>[0]> = {}) =>
  runScenario({ base: BASE, add, cache, ...extra });

jest.setTimeout(120_000);

test("a correct up/down pair: no finding, the schema diff in the section, base from cache next time", async () => {
  const r = await run({
    "3_name.up.sql": "ALTER TABLE users ADD COLUMN name text;\n",
    "3_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
  });
  expect(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive")).toEqual([]);
  expect(r.data!.schemaDiff).toEqual([
    expect.objectContaining({ kind: "column", name: "public.users.name", change: "added" }),
  ]);
  expect(r.data!.downChecks).toEqual([]);
  expect(r.data!.reupDifferences).toEqual([]);
  expect(r.section!.markdown).toContain("| + | column | `users.name` | text |");
  expect(r.reads).toEqual(["migrations/1_users.up.sql", "migrations/2_orders.up.sql"]);

  const again = await run({ "3_x.up.sql": "SELECT 1;\n", "3_x.down.sql": "SELECT 1;\n" });
  expect(again.data!.fromCache).toBe(true);
  expect(again.reads).toEqual([]);
});

test("a down that forgets an index: the exact difference, and up cannot run again", async () => {
  const r = await run({
    "3_idx.up.sql": "CREATE INDEX users_email_idx ON users (email);\n",
    "3_idx.down.sql": "SELECT 1;\n",
  });
  expect(summary(r.findings)).toEqual([
    "down-does-not-restore-schema 3_idx.down.sql:1",
    "up-not-reapplicable 3_idx.up.sql:1",
  ]);
  expect(r.findings[0]!.message).toContain(
    "index `users_email_idx` exists (CREATE INDEX users_email_idx ON public.users USING btree (email))",
  );
  expect(r.findings[1]!.message).toContain('relation "users_email_idx" already exists');
});

test("a down that drops the wrong column", async () => {
  const r = await run({
    "3_name.up.sql": "ALTER TABLE users ADD COLUMN name text;\n",
    "3_name.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
  });
  const down = r.findings.find((f) => f.ruleId === "down-does-not-restore-schema")!;
  expect(down.severity).toBe("error");
  expect(down.message).toContain("column `users.email` is missing");
  expect(down.message).toContain("column `users.name` exists (text)");
});

test("an up that fails on the merged schema: the database error on the statement's line", async () => {
  const r = await run({
    "3_bad.up.sql": "ALTER TABLE users ADD COLUMN a text;\n\nALTER TABLE users DROP COLUMN nope;\n",
    "3_bad.down.sql": "ALTER TABLE users DROP COLUMN a;\n",
  });
  expect(summary(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive"))).toEqual([
    "replay-up-failed 3_bad.up.sql:3",
  ]);
  const f = r.findings.find((x) => x.ruleId === "replay-up-failed")!;
  expect(f.message).toContain('column "nope" of relation "users" does not exist');
  expect(f.message).toContain("SQLSTATE 42703");
  // Nothing after a failing up is replayed.
  expect(r.data!.downs).toEqual([]);
});

describe("CREATE INDEX CONCURRENTLY", () => {
  test("alone in its file it runs outside a transaction, like golang-migrate's single Exec", async () => {
    const r = await run({
      "3_idx.up.sql":
        "-- concurrently\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
      "3_idx.down.sql": "DROP INDEX CONCURRENTLY users_email_idx;\n",
    });
    expect(r.findings).toEqual([]);
    expect(r.data!.ups[0]!.statements).toEqual([expect.objectContaining({ line: 2, locks: null })]);
    expect(r.data!.ups[0]!.notes.join(" ")).toContain("outside a transaction");
  });

  test("beside other statements it fails like Postgres does (one implicit transaction)", async () => {
    const r = await run({
      "3_idx.up.sql":
        "ALTER TABLE users ADD COLUMN a text;\nCREATE INDEX CONCURRENTLY users_a_idx ON users (a);\n",
      "3_idx.down.sql": "DROP INDEX users_a_idx;\nALTER TABLE users DROP COLUMN a;\n",
    });
    const f = r.findings.find((x) => x.ruleId === "replay-up-failed")!;
    expect(f.startLine).toBe(2);
    expect(f.message).toContain("cannot run inside a transaction block");
    expect(f.suggestion).toContain("alone in its own migration file");
  });

  test("with multiStatement each statement is its own transaction, so it applies", async () => {
    const r = await run(
      {
        "3_idx.up.sql":
          "ALTER TABLE users ADD COLUMN a text;\nCREATE INDEX CONCURRENTLY users_a_idx ON users (a);\n",
        "3_idx.down.sql": "DROP INDEX users_a_idx;\nALTER TABLE users DROP COLUMN a;\n",
      },
      { multiStatement: true, cache: new MemoryCache() },
    );
    expect(summary(r.findings)).toEqual(["lock-access-exclusive 3_idx.up.sql:1"]);
    expect(r.findings[0]!.message).toContain("until the statement ends");
  });
});

test("locks per statement: ADD COLUMN vs CREATE INDEX vs VALIDATE CONSTRAINT", async () => {
  const r = await run({
    "3_locks.up.sql":
      "ALTER TABLE accounts ADD COLUMN note text;\n" +
      "CREATE INDEX orders_user_idx ON orders (user_id);\n" +
      "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n" +
      "CREATE TABLE fresh (id int);\n" +
      "ALTER TABLE fresh ADD COLUMN x int;\n",
    "3_locks.down.sql":
      "DROP TABLE fresh;\nDROP INDEX orders_user_idx;\nALTER TABLE accounts DROP COLUMN note;\n" +
      "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\n" +
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n",
  });
  const locks = r.data!.ups[0]!.statements.map((s) =>
    (s.locks ?? [])
      .filter((l) => l.mode !== "AccessShareLock")
      .map((l) => `${l.relation}:${l.mode}`),
  );
  expect(locks[0]).toEqual(["public.accounts:AccessExclusiveLock"]);
  expect(locks[1]).toEqual(["public.orders:ShareLock"]);
  expect(locks[2]).toEqual(
    expect.arrayContaining(["public.orders:ShareUpdateExclusiveLock", "public.users:RowShareLock"]),
  );
  // Tables created by the change are not reported: nobody else can be using them.
  expect(locks[3]).toEqual([]);
  expect(locks[4]).toEqual([]);
  expect(summary(r.findings)).toEqual(["lock-access-exclusive 3_locks.up.sql:1"]);
  expect(r.findings[0]!.message).toContain("table `accounts`");
  expect(r.findings[0]!.message).toContain("the 4 statements after it");
  expect(r.section!.markdown).toContain(
    "SHARE on table `orders` | INSERT, UPDATE and DELETE (reads continue)",
  );
  expect(r.data!.downChecks).toEqual([]);
});

test("an ignore comment suppresses a replay finding on its statement", async () => {
  const r = await run({
    "3_a.up.sql":
      "-- migration-warden:ignore lock-access-exclusive -- accounts has ten rows\nALTER TABLE accounts ADD COLUMN a text;\n",
    "3_a.down.sql": "ALTER TABLE accounts DROP COLUMN a;\n",
  });
  expect(r.findings).toEqual([
    expect.objectContaining({
      ruleId: "lock-access-exclusive",
      startLine: 2,
      suppressed: { reason: "accounts has ten rows" },
    }),
  ]);
});

test("roles that exist outside migrations are created in the sandbox instead of failing", async () => {
  const r = await run({
    "3_grant.up.sql": "GRANT SELECT ON users TO app_reader;\n",
    "3_grant.down.sql": "REVOKE SELECT ON users FROM app_reader;\n",
  });
  expect(r.findings).toEqual([]);
  expect(r.data!.rolesCreated).toEqual(["app_reader"]);
});

describe("extensions", () => {
  test("a bundled extension is available", async () => {
    const r = await run({
      "3_ext.up.sql":
        "CREATE EXTENSION IF NOT EXISTS pgcrypto;\nALTER TABLE users ADD COLUMN h bytea DEFAULT digest('x', 'sha256');\n",
      "3_ext.down.sql": "ALTER TABLE users DROP COLUMN h;\nDROP EXTENSION pgcrypto;\n",
    });
    expect(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive")).toEqual([]);
    expect(r.data!.schemaDiff).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "extension", name: "pgcrypto" })]),
    );
  });

  test("a missing extension in the change: a notice, never an error against the PR", async () => {
    const r = await run({
      "3_geo.up.sql": "CREATE EXTENSION IF NOT EXISTS postgis;\n",
      "3_geo.down.sql": "DROP EXTENSION postgis;\n",
    });
    expect(r.findings).toEqual([
      expect.objectContaining({ ruleId: "replay-skipped", severity: "notice" }),
    ]);
    expect(r.findings[0]!.message).toContain('extension "postgis" is not available');
  });

  test("a merged migration needing a missing extension: one notice, replay skipped, cached", async () => {
    const base = { ...BASE, "3_geo.up.sql": "CREATE EXTENSION postgis;\n" };
    const own = new MemoryCache();
    const add = { "4_x.up.sql": "SELECT 1;\n", "4_x.down.sql": "SELECT 1;\n" };
    const r = await runScenario({ base, add, cache: own });
    expect(summary(r.findings)).toEqual(["replay-skipped 4_x.up.sql:1"]);
    expect(r.findings[0]!.message).toContain(
      "migrations/3_geo.up.sql does not apply in the sandbox",
    );
    expect(r.report.summary.error).toBe(0);
    const again = await runScenario({ base, add, cache: own });
    expect(summary(again.findings)).toEqual(["replay-skipped 4_x.up.sql:1"]);
    expect(again.section).toBeUndefined(); // answered from the cache, no sandbox started
  });
});

test("a merged migration that does not apply: notice, no error", async () => {
  const r = await run(
    { "4_x.up.sql": "SELECT 1;\n" },
    { base: { ...BASE, "3_broken.up.sql": "CREATE TABLE (;\n" } },
  );
  expect(summary(r.findings)).toEqual(["replay-skipped 4_x.up.sql:1"]);
  expect(r.findings[0]!.message).toContain("3_broken.up.sql does not apply");
});

describe("limits", () => {
  const LOOP = "DO $$ BEGIN LOOP END LOOP; END $$;\n";

  test("a statement over replay.statementTimeoutMs is stopped and reported as a warning", async () => {
    const r = await run({ "3_loop.up.sql": LOOP }, { replay: { statementTimeoutMs: 1500 } });
    expect(r.findings).toEqual([
      expect.objectContaining({ ruleId: "replay-up-failed", severity: "warning", startLine: 1 }),
    ]);
    expect(r.findings[0]!.message).toContain("did not finish within 1500 ms");
  });

  test("the time budget stops the replay with a notice", async () => {
    const r = await run({ "3_loop.up.sql": LOOP }, { replay: { timeBudgetMs: 4000 } });
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: "replay-skipped" })]);
    expect(r.findings[0]!.message).toContain("time budget");
    expect(r.data!.abort!.reason).toBe("time-budget");
  });

  test("replay.enabled: false runs nothing", async () => {
    const r = await run({ "3_loop.up.sql": LOOP }, { replay: { enabled: false } });
    expect(r.findings).toEqual([]);
    expect(r.section).toBeUndefined();
  });
});
