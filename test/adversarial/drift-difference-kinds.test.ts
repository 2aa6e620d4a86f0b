/**
 * Issue 13: drift reports "every schema difference (tables, columns with types/defaults/
 * nullability, indexes, constraints, views, sequences, functions/triggers where the fingerprint
 * covers them; extensions), each as added outside migrations / missing / changed, with both
 * definitions". test/replay/drift.test.ts changes one thing at a time (a column added, an index
 * dropped); here one database per dialect gets every kind of hand change at once, and each must
 * be reported, with the definition the migrations give and the live one:
 *
 * - PostgreSQL (a database of its own, test/support/drift-database.ts): column type, default
 *   and nullability; a check constraint dropped and one added; a view redefined; a sequence
 *   dropped and one added; a function's body changed; a trigger dropped; an index added; the
 *   migrations' extension dropped; a table added.
 * - MariaDB (a database of its own, made by MW_TEST_MYSQL_ADMIN_URL's account; the replay on
 *   MW_TEST_MYSQL_DRIFT_REPLAY_URL): the same where MySQL has them (sequences, functions).
 * - SQLite: column type, default and nullability (the table rebuilt by hand), a view, a trigger,
 *   an index.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import initSqlJs from "sql.js";
import { parseDriftUrl } from "../../src/replay/drift/url.js";
import { mysqlAdmin } from "../replay/servers.js";
import { runCli } from "../support/cli.js";
import { driftDatabase } from "../support/drift-database.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

jest.setTimeout(180_000);

const GOLANG_MIGRATE =
  "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n" +
  "INSERT INTO schema_migrations VALUES (1, false);\n";

const PG_UP =
  "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n" +
  "CREATE SEQUENCE invoice_no;\n" +
  "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, plan text DEFAULT 'free', score int,\n" +
  "  age int CONSTRAINT users_age_check CHECK (age >= 0));\n" +
  "CREATE TABLE plans (name text PRIMARY KEY);\n" +
  // Two tables: PostgreSQL 15 qualifies a one-table view's columns, 16 and later do not (the
  // audit's note; docs/drift.md, "Engines").
  "CREATE VIEW adults AS SELECT u.id, p.name FROM users u JOIN plans p ON p.name = u.plan WHERE u.age >= 18;\n" +
  // One table: PostgreSQL 15 prints its columns qualified, PGlite (18) does not; the same view.
  "CREATE VIEW active AS SELECT id, email FROM users WHERE plan <> 'gone' AND EXISTS (SELECT 1 FROM plans WHERE plans.name = users.plan);\n" +
  "CREATE MATERIALIZED VIEW plan_counts AS SELECT plan, count(*) AS n FROM users u GROUP BY plan;\n" +
  "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n" +
  "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n";
const PG_BY_HAND =
  "ALTER TABLE users ALTER COLUMN score TYPE bigint;\n" +
  "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'pro';\n" +
  "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n" +
  "ALTER TABLE users DROP CONSTRAINT users_age_check;\n" +
  "ALTER TABLE users ADD CONSTRAINT users_email_shape CHECK (email LIKE '%@%');\n" +
  "CREATE OR REPLACE VIEW adults AS SELECT u.id, p.name FROM users u JOIN plans p ON p.name = u.plan WHERE u.age >= 21;\n" +
  "CREATE OR REPLACE VIEW active AS SELECT id, email FROM users WHERE plan <> 'left' AND EXISTS (SELECT 1 FROM plans WHERE plans.name = users.plan);\n" +
  "DROP SEQUENCE invoice_no; CREATE SEQUENCE hand_no;\n" +
  "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.plan := 'pro'; RETURN NEW; END $$;\n" +
  "DROP TRIGGER users_touch ON users;\n" +
  "CREATE INDEX users_plan_idx ON users (plan);\n" +
  "DROP EXTENSION pgcrypto;\n" +
  "CREATE TABLE scratch (id int);\n";

const MY_UP =
  "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, plan varchar(10) DEFAULT 'free', score int,\n" +
  "  age int, CONSTRAINT users_age_check CHECK (age >= 0));\n" +
  "CREATE SEQUENCE invoice_no;\n" +
  "CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;\n" +
  "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;\n" +
  "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW SET NEW.plan = COALESCE(NEW.plan, 'free');\n";
const MY_BY_HAND =
  "ALTER TABLE users MODIFY score bigint;\n" +
  "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'pro';\n" +
  "ALTER TABLE users MODIFY email varchar(100) NULL;\n" +
  "ALTER TABLE users DROP CONSTRAINT users_age_check;\n" +
  "ALTER TABLE users ADD CONSTRAINT users_email_shape CHECK (email LIKE '%@%');\n" +
  "CREATE OR REPLACE VIEW adults AS SELECT id FROM users WHERE age >= 21;\n" +
  "DROP SEQUENCE invoice_no; CREATE SEQUENCE hand_no;\n" +
  "DROP FUNCTION twice; CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 3;\n" +
  "DROP TRIGGER users_touch;\n" +
  "CREATE INDEX users_plan_idx ON users (plan);\n" +
  "CREATE TABLE scratch (id int);\n";

const LITE_UP =
  "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, plan TEXT DEFAULT 'free', score INTEGER,\n" +
  "  age INTEGER CHECK (age >= 0));\n" +
  "CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;\n" +
  "CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;\n";
/** SQLite alters little: the live database is made from the changed text, as a rebuild would. */
const LITE_LIVE =
  "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, plan TEXT DEFAULT 'pro', score BIGINT,\n" +
  "  age INTEGER CHECK (age >= 0));\n" +
  "CREATE VIEW adults AS SELECT id FROM users WHERE age >= 21;\n" +
  "CREATE INDEX users_plan_idx ON users (plan);\n";

const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml":
      "directories:\n  - path: pg\n    dialect: postgres\n  - path: my\n    dialect: mysql\n  - path: lite\n    dialect: sqlite\n",
    "pg/1_all.up.sql": PG_UP,
    "my/1_all.up.sql": MY_UP,
    "lite/1_all.up.sql": LITE_UP,
  })
  .commit("migrations");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-kinds-cache-"));
seedCacheDir(cacheDir);

const PG = driftDatabase("mw_drift_difference_kinds");
const MY_ADMIN = process.env.MW_TEST_MYSQL_ADMIN_URL;
const MY_REPLAY = process.env.MW_TEST_MYSQL_DRIFT_REPLAY_URL;
const MY_MISSING = !MY_ADMIN
  ? "MW_TEST_MYSQL_ADMIN_URL not set"
  : !MY_REPLAY
    ? "MW_TEST_MYSQL_DRIFT_REPLAY_URL not set"
    : null;
const MY_DATABASE = "mw_drift_difference_kinds";
let my: mysql.Connection | undefined;

afterAll(async () => {
  if (!PG.missing) {
    await PG.client()
      .query("DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public")
      .catch(() => undefined);
    await PG.close();
  }
  await my?.query(`DROP DATABASE IF EXISTS ${MY_DATABASE}`).catch(() => undefined);
  await my?.end();
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

interface Difference {
  kind: string;
  object: string;
  change: "added" | "missing" | "changed";
  expected: string | null;
  actual: string | null;
}

async function drift(dir: string, url: string, env: Record<string, string> = {}) {
  const r = await runCli(["drift", "--format", "json", "--ref", "main", "--dir", dir], repo.dir, {
    MIGRATION_WARDEN_DRIFT_DATABASE_URL: url,
    MIGRATION_WARDEN_CACHE_DIR: cacheDir,
    ...env,
  });
  expect(r.stderr).toBe("");
  const report = JSON.parse(r.stdout);
  return { code: r.code, report, differences: report.differences as Difference[] };
}

/** The one difference for `object` of `kind`, with the definitions its change implies. */
function expectDifference(
  differences: Difference[],
  kind: string,
  object: string,
  change: Difference["change"],
  has: { expected?: RegExp; actual?: RegExp } = {},
): void {
  const found = differences.filter((d) => d.kind === kind && d.object === object);
  expect(found.map((d) => `${d.change} ${d.kind} ${d.object}`)).toEqual([
    `${change} ${kind} ${object}`,
  ]);
  const [d] = found;
  if (change === "added") expect(d!.expected).toBeNull();
  else expect(d!.expected).toEqual(expect.any(String));
  if (change === "missing") expect(d!.actual).toBeNull();
  else expect(d!.actual).toEqual(expect.any(String));
  if (change === "changed") expect(d!.actual).not.toBe(d!.expected);
  if (has.expected) expect(d!.expected).toMatch(has.expected);
  if (has.actual) expect(d!.actual).toMatch(has.actual);
}

(PG.missing ? describe.skip : describe)(
  `postgres: every kind of hand change${PG.missing ? ` (skipped: ${PG.missing})` : ""}`,
  () => {
    beforeAll(async () => {
      await PG.open();
    });

    test("control: the migrations alone are in sync", async () => {
      await PG.client().query(
        "DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public;\n" +
          GOLANG_MIGRATE +
          PG_UP,
      );
      const r = await drift("pg", PG.url);
      expect(r.differences).toEqual([]);
      expect(r.report.status).toBe("in-sync");
    });

    test("each reported, added / missing / changed, with both definitions", async () => {
      await PG.client().query(PG_BY_HAND);
      const { code, report, differences: d } = await drift("pg", PG.url);
      expect(code).toBe(1);
      expect(report.status).toBe("drift");
      expectDifference(d, "column", "public.users.score", "changed", {
        expected: /^integer/,
        actual: /^bigint/,
      });
      expectDifference(d, "column", "public.users.plan", "changed", {
        expected: /'free'/,
        actual: /'pro'/,
      });
      expectDifference(d, "column", "public.users.email", "changed", {
        expected: /not null/i,
      });
      expect(d.find((x) => x.object === "public.users.email")!.actual).not.toMatch(/not null/i);
      expectDifference(d, "constraint", "public.users.users_age_check", "missing", {
        expected: /age >= 0/,
      });
      expectDifference(d, "constraint", "public.users.users_email_shape", "added", {
        actual: /~~|LIKE/,
      });
      expectDifference(d, "view", "public.adults", "changed", { expected: /18/, actual: /21/ });
      expectDifference(d, "view", "public.active", "changed", { expected: /gone/, actual: /left/ });
      expect(d.filter((x) => x.object === "public.plan_counts")).toEqual([]);
      expectDifference(d, "sequence", "public.invoice_no", "missing");
      expectDifference(d, "sequence", "public.hand_no", "added");
      expectDifference(d, "function", "public.touch()", "changed");
      expectDifference(d, "trigger", "public.users.users_touch", "missing", {
        expected: /touch/,
      });
      expectDifference(d, "index", "public.users_plan_idx", "added", { actual: /\(plan\)/ });
      expectDifference(d, "extension", "pgcrypto", "missing");
      expectDifference(d, "table", "public.scratch", "added");
    });
  },
);

(MY_MISSING ? describe.skip : describe)(
  `mysql: every kind of hand change${MY_MISSING ? ` (skipped: ${MY_MISSING})` : ""}`,
  () => {
    let url = "";
    beforeAll(async () => {
      my = await mysqlAdmin(MY_ADMIN!);
      const u = parseDriftUrl(MY_ADMIN!);
      if (u.dialect !== "mysql") throw new Error("not mysql");
      const a = u.address;
      url = `mysql://${encodeURIComponent(a.user)}:${encodeURIComponent(a.password ?? "")}@tcp(${a.host}:${a.port})/${MY_DATABASE}`;
    });

    test("control: the migrations alone are in sync", async () => {
      await my!.query(
        `DROP DATABASE IF EXISTS ${MY_DATABASE}; CREATE DATABASE ${MY_DATABASE}; USE ${MY_DATABASE};\n${GOLANG_MIGRATE}${MY_UP}`,
      );
      const r = await drift("my", url, { MIGRATION_WARDEN_DATABASE_URL: MY_REPLAY! });
      expect(r.differences).toEqual([]);
      expect(r.report.status).toBe("in-sync");
    });

    test("each reported, added / missing / changed, with both definitions", async () => {
      await my!.query(`USE ${MY_DATABASE};\n${MY_BY_HAND}`);
      const { code, differences: d } = await drift("my", url, {
        MIGRATION_WARDEN_DATABASE_URL: MY_REPLAY!,
      });
      expect(code).toBe(1);
      expectDifference(d, "column", "users.score", "changed", {
        expected: /^int/,
        actual: /^bigint/,
      });
      expectDifference(d, "column", "users.plan", "changed", {
        expected: /free/,
        actual: /pro/,
      });
      expectDifference(d, "column", "users.email", "changed", { expected: /not null/i });
      expectDifference(d, "constraint", "users.users_age_check", "missing", { expected: /age/ });
      expectDifference(d, "constraint", "users.users_email_shape", "added", { actual: /like/i });
      expectDifference(d, "view", "adults", "changed", { expected: /18/, actual: /21/ });
      expectDifference(d, "sequence", "invoice_no", "missing");
      expectDifference(d, "sequence", "hand_no", "added");
      // Named with its signature as the server prints it (int(11) on MariaDB, int on MySQL 8).
      const twice = d.find((x) => x.kind === "function" && x.object.startsWith("twice("));
      expectDifference(d, "function", twice?.object ?? "twice(…)", "changed", {
        expected: /deterministic: true/,
      });
      expectDifference(d, "trigger", "users.users_touch", "missing");
      expectDifference(d, "index", "users.users_plan_idx", "added");
      expectDifference(d, "table", "scratch", "added");
    });
  },
);

describe("sqlite: every kind of hand change", () => {
  test("each reported, added / missing / changed, with both definitions", async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.exec(GOLANG_MIGRATE.replace(/bigint|boolean/g, "integer") + LITE_LIVE);
    writeFileSync(join(repo.dir, "app.db"), db.export());
    db.close();
    const { code, differences: d } = await drift("lite", "sqlite3://app.db");
    expect(code).toBe(1);
    expectDifference(d, "column", "users.score", "changed", {
      expected: /^INTEGER/,
      actual: /^BIGINT/,
    });
    expectDifference(d, "column", "users.plan", "changed", { expected: /free/, actual: /pro/ });
    expectDifference(d, "column", "users.email", "changed", { expected: /not null/i });
    expectDifference(d, "view", "adults", "changed", { expected: /18/, actual: /21/ });
    expectDifference(d, "trigger", "users_touch", "missing");
    expectDifference(d, "index", "users_plan_idx", "added");
  });
});
