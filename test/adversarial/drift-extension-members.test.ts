/**
 * `migration-warden drift` on PostgreSQL: objects hidden in an extension. The fingerprint leaves
 * out what belongs to an extension (its script's objects are not the migrations'), so
 * `ALTER EXTENSION citext ADD TABLE stash` made a table created by hand invisible: drift said
 * "in sync" (exit 0). The same for functions, views, sequences and types, and for an extension no
 * migration creates (one the attacker creates for the purpose, such as hstore, trusted since
 * PostgreSQL 13). The membership itself is now drift.
 *
 * On a database of its own (MW_TEST_POSTGRES_ADMIN_URL creates it for the drift account of
 * MW_TEST_POSTGRES_DRIFT_URL). Skipped, saying why, without those servers.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { driftDatabase } from "../support/drift-database.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

jest.setTimeout(120_000);

const database = driftDatabase("mw_drift_extension_members");
const { missing, url } = database;

const MIGRATION =
  "CREATE EXTENSION IF NOT EXISTS citext;\n" +
  "CREATE TABLE users (id bigint PRIMARY KEY, email citext NOT NULL);\n";
const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml":
      "directories:\n  - path: db/migrations\n    dialect: postgres\n",
    "db/migrations/1_users.up.sql": MIGRATION,
    "db/migrations/1_users.down.sql": "DROP TABLE users;\nDROP EXTENSION citext;\n",
  })
  .commit("migrations");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-ext-cache-"));
seedCacheDir(cacheDir);
beforeAll(() => database.open());

afterAll(async () => {
  await database.close();
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** golang-migrate's state after 1_users, then `byHand`; drift's JSON report. */
async function drift(byHand: string) {
  await database
    .client()
    .query(
      "DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public;\n" +
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n" +
        MIGRATION +
        "INSERT INTO schema_migrations VALUES (1, false);\n" +
        byHand,
    );
  const r = await runCli(["drift", "--format", "json", "--ref", "main"], repo.dir, {
    MIGRATION_WARDEN_DRIFT_DATABASE_URL: url,
    MIGRATION_WARDEN_CACHE_DIR: cacheDir,
  });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

const brief = (r: { report: any }) =>
  r.report.differences.map((d: any) => `${d.change} ${d.kind} ${d.object}`);

(missing ? describe.skip : describe)(
  `drift: objects made part of an extension by hand${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    test("control: the migrations' extension, nothing by hand: in sync", async () => {
      const r = await drift("");
      expect(r.stderr).toBe("");
      expect(r.report.differences).toEqual([]);
      expect(r.report.status).toBe("in-sync");
      expect(r.code).toBe(0);
    });

    test("a table made by hand and added to the migrations' extension: drift, naming it", async () => {
      const r = await drift(
        "CREATE TABLE stash (card text);\nALTER EXTENSION citext ADD TABLE stash;",
      );
      expect(r.code).toBe(1);
      expect(r.report.status).toBe("drift");
      expect(brief(r)).toEqual(["added table public.stash"]);
      expect(r.report.differences[0].actual).toMatch(/made part of extension citext/);
    });

    test("functions, views, sequences and types too; a dotted name keeps its parts", async () => {
      const r = await drift(
        "CREATE FUNCTION leak(t text) RETURNS text LANGUAGE sql AS 'SELECT t';\n" +
          "CREATE VIEW emails AS SELECT email FROM users;\n" +
          "CREATE SEQUENCE ids;\n" +
          "CREATE TYPE pair AS (a int, b int);\n" +
          'CREATE TABLE "odd.name" (x int);\n' +
          "ALTER EXTENSION citext ADD FUNCTION leak(text);\n" +
          "ALTER EXTENSION citext ADD VIEW emails;\n" +
          "ALTER EXTENSION citext ADD SEQUENCE ids;\n" +
          "ALTER EXTENSION citext ADD TYPE pair;\n" +
          'ALTER EXTENSION citext ADD TABLE "odd.name";',
      );
      expect(r.code).toBe(1);
      expect(brief(r).sort()).toEqual(
        [
          "added function public.leak(pg_catalog.text)",
          "added view public.emails",
          "added sequence public.ids",
          "added type public.pair",
          'added table public."odd.name"', // as the fingerprint names it
        ].sort(),
      );
    });

    test("a table of the migrations made part of the extension: its membership is drift", async () => {
      const r = await drift("ALTER EXTENSION citext ADD TABLE users;");
      expect(r.code).toBe(1);
      expect(brief(r)).toContain("changed table public.users");
      const d = r.report.differences.find((x: any) => x.change === "changed");
      expect(d.expected).toBe("not part of an extension");
    });

    test("an extension no migration creates, made to hold a table: drift; its own objects are not", async () => {
      const own = await drift("CREATE EXTENSION hstore;");
      expect(own.report.status).toBe("in-sync");
      expect(own.report.notes.join(" ")).toMatch(/ignored: extension hstore/);
      const hidden = await drift(
        "CREATE EXTENSION hstore;\nCREATE TABLE stash (card text);\nALTER EXTENSION hstore ADD TABLE stash;",
      );
      expect(hidden.code).toBe(1);
      expect(brief(hidden)).toEqual(["added table public.stash"]);
      expect(hidden.report.differences[0].actual).toMatch(/made part of extension hstore/);
    });

    test("drift.ignore still leaves a member out when it names it", async () => {
      const withIgnore = TempRepo.copyOf(repo);
      try {
        withIgnore
          .write({
            ".github/migration-warden.yml":
              'directories:\n  - path: db/migrations\n    dialect: postgres\ndrift:\n  ignore: ["stash"]\n',
          })
          .commit("ignore");
        await drift("CREATE TABLE stash (card text);\nALTER EXTENSION citext ADD TABLE stash;");
        const r = await runCli(["drift", "--format", "json", "--ref", "main"], withIgnore.dir, {
          MIGRATION_WARDEN_DRIFT_DATABASE_URL: url,
          MIGRATION_WARDEN_CACHE_DIR: cacheDir,
        });
        const report = JSON.parse(r.stdout);
        expect(report.differences).toEqual([]);
        expect(report.notes).toContain("Ignored by drift.ignore: 1 difference.");
      } finally {
        withIgnore.cleanup();
      }
    });
  },
);
