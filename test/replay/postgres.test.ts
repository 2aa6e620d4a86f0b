/**
 * Sandbox replay on PGlite, through the worker, as the CLI and the app run it: what only the
 * Postgres sandbox does (locks, CONCURRENTLY, extensions, limits). Behaviours every engine shares
 * are rows of engines.test.ts.
 */
import { describe, expect, jest, test } from "@jest/globals";
import { BASES, runScenario, summary, testCache } from "./support.js";

// One cache for the file: every scenario on BASE restores the same snapshot (PGlite starts once).
const cache = testCache();
const BASE = BASES.pglite;
const run = (add: Record<string, string>, extra: Partial<Parameters<typeof runScenario>[0]> = {}) =>
  runScenario({ base: BASE, add, cache, ...extra });

jest.setTimeout(120_000);

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
      { multiStatement: true, cache: testCache() },
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

describe("extensions", () => {
  test("a bundled extension is available", async () => {
    const r = await run({
      "3_ext.up.sql":
        "CREATE EXTENSION IF NOT EXISTS hstore;\nALTER TABLE users ADD COLUMN h hstore DEFAULT 'a=>1';\n",
      "3_ext.down.sql": "ALTER TABLE users DROP COLUMN h;\nDROP EXTENSION hstore;\n",
    });
    expect(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive")).toEqual([]);
    expect(r.data!.schemaDiff).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "extension", name: "hstore" })]),
    );
  });

  test("a missing extension in the change: a warning naming what went unverified, never an error", async () => {
    // The change chose the statement that stops the replay: what follows it is unverified, so
    // `required: risky` must ask a DBA (a notice let `CREATE EXTENSION` blind the replay).
    const r = await run({
      "3_geo.up.sql":
        "CREATE EXTENSION IF NOT EXISTS postgis;\nALTER TABLE users ADD COLUMN g int;\n",
      "3_geo.down.sql": "DROP EXTENSION postgis;\n",
      "4_more.up.sql": "SELECT 1;\n",
      "4_more.down.sql": "SELECT 1;\n",
    });
    expect(r.findings).toEqual([
      expect.objectContaining({
        ruleId: "replay-skipped",
        severity: "warning",
        path: "migrations/3_geo.up.sql",
        startLine: 1,
      }),
    ]);
    expect(r.findings[0]!.message).toContain('extension "postgis" is not available');
    expect(r.findings[0]!.message).toContain(
      "from line 1 of this file and the later files `4_more.up.sql`, `4_more.down.sql`, `3_geo.down.sql` were not run",
    );
  });

  test("a merged migration needing a missing extension: one notice, replay skipped, cached", async () => {
    const base = { ...BASE, "3_geo.up.sql": "CREATE EXTENSION postgis;\n" };
    const own = testCache();
    const add = { "4_x.up.sql": "SELECT 1;\n", "4_x.down.sql": "SELECT 1;\n" };
    const r = await runScenario({ base, add, cache: own });
    expect(summary(r.findings)).toEqual(["replay-skipped 4_x.up.sql:1"]);
    expect(r.findings[0]!.message).toContain(
      "migrations/3_geo.up.sql does not apply in the sandbox",
    );
    expect(r.report.summary.error).toBe(0);
    const again = await runScenario({ base, add, cache: own });
    expect(summary(again.findings)).toEqual(["replay-skipped 4_x.up.sql:1"]);
    // Answered from the cache: no sandbox started (the merged files are read for the SQL rules
    // only), and the same words as the run that found it (the database's error code included).
    expect(again.reads.sort()).toEqual(
      ["1_users.up.sql", "2_orders.up.sql", "3_geo.up.sql"].map((n) => `migrations/${n}`),
    );
    expect(again.data!.base).toMatchObject({ restored: 0, applied: 0, failureCached: true });
    expect(again.findings).toEqual(r.findings);
    expect(r.findings[0]!.message).toMatch(/\[SQLSTATE \w{5}\]/);
    const baseLine = (run: typeof r) =>
      run.section!.markdown.split("\n").filter((l) => l.startsWith("Base history does not apply"));
    expect(baseLine(again)).toEqual(baseLine(r));
    expect(baseLine(r)).toHaveLength(1);
    expect(again.section!.markdown).toContain(
      "not run again (an earlier replay of the same files failed)",
    );
  });
});

test("a base failure answered by the cache: the SQL rules are judged as on the run that found it", async () => {
  // The app's change set has no merged files (GitHub would charge a request for each): the SQL
  // rules get them from the replay's reads. A cached failure reads them all the same, else a rule
  // silent without the merged history (fk-without-index) passes the change the second time.
  const base = { ...BASE, "3_geo.up.sql": "CREATE EXTENSION postgis;\n" };
  const own = testCache();
  const add = {
    "4_fk.up.sql":
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id);\n",
    "4_fk.down.sql": "ALTER TABLE orders DROP CONSTRAINT orders_user_fk2;\n",
  };
  const ids = (r: Awaited<ReturnType<typeof runScenario>>) =>
    r.report.findings.map((f) => `${f.ruleId} ${f.path}:${f.startLine} ${f.message}`);
  const first = await runScenario({ base, add, cache: own });
  expect(ids(first).some((f) => f.startsWith("fk-without-index migrations/4_fk.up.sql:1"))).toBe(
    true,
  );
  const again = await runScenario({ base, add, cache: own });
  expect(again.data!.base).toMatchObject({ failureCached: true });
  expect(again.reads.sort()).toEqual(
    ["1_users.up.sql", "2_orders.up.sql", "3_geo.up.sql"].map((n) => `migrations/${n}`),
  );
  expect(ids(again)).toEqual(ids(first));
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

describe("routines are compared by what they say, not their layout", () => {
  const base = {
    ...BASES.pglite,
    "3_f.up.sql":
      "CREATE FUNCTION greet(n text) RETURNS text LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 'hi, ' || n;\nEND $$;\n",
    "3_f.down.sql": "DROP FUNCTION greet(text);\n",
  };
  const up =
    "CREATE OR REPLACE FUNCTION greet(n text) RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || n $$;\n";

  test("a down that re-creates the function reformatted restores it", async () => {
    const r = await run(
      {
        "4_g.up.sql": up,
        "4_g.down.sql":
          "CREATE OR REPLACE FUNCTION greet(n text)\n  RETURNS text\n  LANGUAGE plpgsql\nAS $$\n    BEGIN\n        RETURN 'hi, '||n;\n    END\n$$;\n",
      },
      { base },
    );
    expect(r.findings.map((f) => f.ruleId)).not.toContain("down-does-not-restore-schema");
    expect(r.data!.downs).toHaveLength(1);
  });

  test("a down whose body differs inside a string literal does not", async () => {
    const r = await run(
      {
        "4_g.up.sql": up,
        "4_g.down.sql":
          "CREATE OR REPLACE FUNCTION greet(n text) RETURNS text LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 'hi,  ' || n;\nEND $$;\n",
      },
      { base },
    );
    expect(r.findings.map((f) => f.ruleId)).toContain("down-does-not-restore-schema");
  });
});
