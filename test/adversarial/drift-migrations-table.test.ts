/**
 * `migration-warden drift` against a golang-migrate table written by hand: someone who changed
 * the live database outside the migrations controls that table too. golang-migrate keeps exactly
 * one row and reads whichever comes first, so a second row could carry the dirty flag or the real
 * version while drift read the first and said "in sync" (exit 0). A `dirty` value that is not
 * plainly false ("true", 2: golang-migrate's driver reads them as true) must be dirty too, and a
 * table of thousands of rows is not golang-migrate's. A trigger on the table was left out with
 * the table, though golang-migrate creates none and it runs at the next `migrate up`.
 *
 * SQLite files only (sql.js): the reading is the same code for the three databases, and these
 * tests need no server (test/replay/drift.test.ts owns the shared ones).
 */
import { afterAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import initSqlJs from "sql.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

jest.setTimeout(120_000);

const SQL = await initSqlJs();
const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml": "directories:\n  - path: db/migrations\n    dialect: sqlite\n",
    "db/migrations/1_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n",
    "db/migrations/1_users.down.sql": "DROP TABLE users;\n",
    "db/migrations/2_name.up.sql": "ALTER TABLE users ADD COLUMN name TEXT;\n",
    "db/migrations/2_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
  })
  .commit("migrations");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-table-cache-"));
seedCacheDir(cacheDir);

afterAll(() => {
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** The live file at version 2 (both migrations applied), with `rows` in schema_migrations. */
async function drift(rows: string) {
  const db = new SQL.Database();
  db.exec(
    "CREATE TABLE schema_migrations (version uint64, dirty bool);\n" +
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n" +
      "ALTER TABLE users ADD COLUMN name TEXT;\n" +
      rows,
  );
  writeFileSync(join(repo.dir, "app.db"), db.export());
  db.close();
  const r = await runCli(["drift", "--format", "json", "--ref", "main"], repo.dir, {
    MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://app.db",
    MIGRATION_WARDEN_CACHE_DIR: cacheDir,
  });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

describe("drift: golang-migrate's table written by hand", () => {
  test("control: one clean row at the latest version is in sync", async () => {
    const r = await drift("INSERT INTO schema_migrations VALUES (2, 0);");
    expect(r.code).toBe(0);
    expect(r.report.status).toBe("in-sync");
  });

  test("a dirty second row behind a clean first one: dirty, exit 1", async () => {
    const r = await drift("INSERT INTO schema_migrations VALUES (2, 0), (2, 1);");
    expect(r.code).toBe(1);
    expect(r.report.status).toBe("dirty");
    expect(r.report.database.dirty).toBe(true);
    expect(r.report.notes.join("\n")).toMatch(/holds 2 rows.*one of them is dirty/);
  });

  test("rows with different versions: the version is not known, exit 1", async () => {
    const r = await drift("INSERT INTO schema_migrations VALUES (2, 0), (1, 0);");
    expect(r.code).toBe(1);
    expect(r.report.status).toBe("unknown-version");
    expect(r.report.notes.join("\n")).toMatch(/their versions differ \(2, 1\)/);
  });

  test.each([
    ["'true'", "text"],
    ["2", "a number other than 1"],
    ["'t '", "text with a space"],
    ["NULL", "NULL"],
  ])("dirty = %s (%s) is dirty, never clean", async (value) => {
    const r = await drift(`INSERT INTO schema_migrations VALUES (2, ${value});`);
    expect(r.code).toBe(1);
    expect(r.report.status).toBe("dirty");
  });

  test("thousands of rows: not golang-migrate's table, refused (exit 2)", async () => {
    const r = await drift(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n" +
        "INSERT INTO schema_migrations SELECT 2, 0 FROM n;",
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/schema_migrations holds more than 100 rows.*refusing to read it/);
  });

  test("a trigger on golang-migrate's table that empties users at the next migrate up: drift", async () => {
    const r = await drift(
      "INSERT INTO schema_migrations VALUES (2, 0);\n" +
        "CREATE TRIGGER wipe AFTER INSERT ON schema_migrations BEGIN DELETE FROM users; END;",
    );
    expect(r.code).toBe(1);
    expect(r.report.status).toBe("drift");
    expect(r.report.differences).toEqual([
      expect.objectContaining({ kind: "trigger", object: "wipe", change: "added" }),
    ]);
  });

  test("a version that is not a number: refused with the table's name (exit 2)", async () => {
    const r = await drift("INSERT INTO schema_migrations VALUES ('2; DROP TABLE users', 0);");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema_migrations holds version "2; DROP TABLE users"/);
  });

  test("a negative version (golang-migrate's nil version) with the schema there: drift", async () => {
    const r = await drift("INSERT INTO schema_migrations VALUES (-1, 0);");
    expect(r.code).toBe(1);
    expect(r.report.database.version).toBeNull();
    expect(r.report.status).toBe("drift");
  });
});
