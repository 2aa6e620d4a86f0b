/**
 * `migration-warden drift` on PostgreSQL: schema changes made by hand that the fingerprint did not
 * read, so drift said "in sync" (exit 0) while the database behaved differently from what the
 * migrations give. A rewrite rule `ON INSERT TO users DO INSTEAD NOTHING` silently discards every
 * insert; `ON SELECT`-less rules can redirect writes to another table. And golang-migrate's table
 * with row-level security: a policy can show drift's read-only role rows golang-migrate (the owner,
 * whom policies spare) never sees, so drift refuses to read it.
 *
 * On a database of its own (MW_TEST_POSTGRES_ADMIN_URL creates it for the drift account of
 * MW_TEST_POSTGRES_DRIFT_URL), so test/replay/drift.test.ts, which resets the shared drift
 * database, can run at the same time. Skipped, saying why, without those servers.
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

const database = driftDatabase("mw_drift_adversarial");
const { missing, url } = database;

const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml":
      "directories:\n  - path: db/migrations\n    dialect: postgres\n",
    "db/migrations/1_users.up.sql":
      "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n" +
      "CREATE TABLE audit (id bigint, email text);\n",
    "db/migrations/1_users.down.sql": "DROP TABLE audit;\nDROP TABLE users;\n",
  })
  .commit("migrations");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-hidden-cache-"));
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
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n" +
        "CREATE TABLE audit (id bigint, email text);\n" +
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
  `drift: changes by hand the fingerprint must see${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    test("control: nothing by hand is in sync", async () => {
      const r = await drift("");
      expect(r.stderr).toBe("");
      expect(r.report.status).toBe("in-sync");
      expect(r.code).toBe(0);
    });

    test("a rule that discards every insert: drift, with its definition", async () => {
      const r = await drift("CREATE RULE discard AS ON INSERT TO users DO INSTEAD NOTHING;");
      expect(r.code).toBe(1);
      expect(r.report.status).toBe("drift");
      expect(brief(r)).toEqual(["added rule public.users.discard"]);
      expect(r.report.differences[0].actual).toMatch(
        /ON INSERT TO (public\.)?users DO INSTEAD NOTHING/,
      );
    });

    test("a rule that copies every update elsewhere: drift", async () => {
      const r = await drift(
        "CREATE RULE copy AS ON UPDATE TO users DO ALSO INSERT INTO audit VALUES (NEW.id, OLD.email);",
      );
      expect(r.code).toBe(1);
      expect(brief(r)).toEqual(["added rule public.users.copy"]);
    });

    test("a rule the migrations create, disabled by hand: drift", async () => {
      const withRule = TempRepo.copyOf(repo);
      try {
        withRule
          .write({
            "db/migrations/2_rule.up.sql":
              "CREATE RULE no_delete AS ON DELETE TO users DO INSTEAD NOTHING;\n",
            "db/migrations/2_rule.down.sql": "DROP RULE no_delete ON users;\n",
          })
          .commit("rule");
        const run = async () => {
          const r = await runCli(["drift", "--format", "json", "--ref", "main"], withRule.dir, {
            MIGRATION_WARDEN_DRIFT_DATABASE_URL: url,
            MIGRATION_WARDEN_CACHE_DIR: cacheDir,
          });
          return { ...r, report: JSON.parse(r.stdout) };
        };
        await drift(
          "CREATE RULE no_delete AS ON DELETE TO users DO INSTEAD NOTHING;\n" +
            "UPDATE schema_migrations SET version = 2;",
        );
        // Replayed in PGlite, the migration's rule is expected: in sync.
        const same = await run();
        expect(same.report.differences).toEqual([]);
        expect(same.report.status).toBe("in-sync");
        await database.client().query("ALTER TABLE users DISABLE RULE no_delete");
        const disabled = await run();
        expect(disabled.code).toBe(1);
        expect(brief(disabled)).toEqual(["changed rule public.users.no_delete"]);
      } finally {
        withRule.cleanup();
      }
    });

    test("a rule on golang-migrate's own table (runs at the next migrate up): drift", async () => {
      const r = await drift(
        "CREATE RULE wipe AS ON INSERT TO schema_migrations DO ALSO DELETE FROM users;",
      );
      expect(r.code).toBe(1);
      expect(brief(r)).toEqual(["added rule public.schema_migrations.wipe"]);
    });

    test("golang-migrate's table with row-level security: refused, naming the table (exit 2)", async () => {
      const r = await drift(
        "ALTER TABLE schema_migrations ENABLE ROW LEVEL SECURITY;\n" +
          "CREATE POLICY only_clean ON schema_migrations USING (NOT dirty);",
      );
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(
        /public\.schema_migrations on postgres:\/\/\S+ has row-level security enabled.*refusing to read it/,
      );
      expect(r.stderr).not.toMatch(/mw-drift-password/);
    });

    test("held: a table in another schema, and a view's own rule, are what they were", async () => {
      const other = await drift("CREATE SCHEMA side; CREATE TABLE side.copy (x int);");
      expect(brief(other)).toEqual([
        "added schema side",
        "added table side.copy",
        "added column side.copy.x",
      ]);
      const view = await drift("CREATE VIEW emails AS SELECT email FROM users;");
      expect(brief(view)).toEqual(["added view public.emails"]);
    });
  },
);
