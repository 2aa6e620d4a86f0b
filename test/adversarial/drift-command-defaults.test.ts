/**
 * `migration-warden drift`'s defaults and the shape of what it prints, through the CLI, on SQLite
 * files (no server needed):
 *
 * - `--ref` defaults to the base `lint` would use: the merge base of HEAD with origin/HEAD, else
 *   main. A migration only on the checked-out branch is not expected (a nightly run on a branch
 *   must not call it pending, nor a database where it ran "in sync" with it), and a merged one
 *   on origin/HEAD that the local main lacks is;
 * - `--cwd` is where the repository, the configuration and a relative SQLite path are found;
 * - exit 2, nothing on stdout, for a usage error and for a configuration error (a broken
 *   configuration file, given or at the revision);
 * - the JSON document: exactly the contract's keys (and the documented additions), at every level.
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
const UPS = [
  "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n",
  "CREATE INDEX users_email ON users (email);\n",
  "ALTER TABLE users ADD COLUMN name TEXT;\n",
];

const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml": "directories:\n  - path: db/migrations\n    dialect: sqlite\n",
    "db/migrations/1_users.up.sql": UPS[0]!,
    "db/migrations/2_email.up.sql": UPS[1]!,
  })
  .commit("migrations 1 and 2");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-defaults-cache-"));
seedCacheDir(cacheDir);

afterAll(() => {
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** golang-migrate's state after the first `n` migrations, as app.db in the repository. */
function migrated(n: number, extra = ""): void {
  const db = new SQL.Database();
  db.exec("CREATE TABLE schema_migrations (version uint64, dirty bool);");
  for (const up of UPS.slice(0, n)) db.exec(up);
  db.exec(`INSERT INTO schema_migrations VALUES (${n}, 0);${extra}`);
  writeFileSync(join(repo.dir, "app.db"), db.export());
  db.close();
}

async function drift(args: string[], cwd = repo.dir) {
  const r = await runCli(["drift", "--format", "json", ...args], cwd, {
    MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://app.db",
    MIGRATION_WARDEN_CACHE_DIR: cacheDir,
  });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

describe("--ref: the base lint would use", () => {
  test("a migration only on the checked-out branch is not expected; origin/HEAD outranks main", async () => {
    const main = repo.git("rev-parse", "HEAD").trim();
    repo.branch("feature").checkout("feature");
    repo.write({ "db/migrations/3_name.up.sql": UPS[2]! }).commit("migration 3, not merged");
    try {
      // The database ran the branch's migration (applied from a branch): unknown to main.
      migrated(3);
      const onBranch = await drift([]);
      expect(onBranch.report.expected).toMatchObject({ ref: "main", sha: main, version: "2" });
      expect(onBranch.report.status).toBe("unknown-version");
      expect(onBranch.code).toBe(1);
      // At version 2 the branch's migration is not pending either: main does not have it.
      migrated(2);
      const atTwo = await drift([]);
      expect(atTwo.report).toMatchObject({ status: "in-sync", pending: [] });
      // --ref names the revision: the branch's head expects 3, pending.
      const head = await drift(["--ref", "HEAD"]);
      expect(head.report.expected.ref).toBe("HEAD");
      expect(head.report.pending).toEqual([{ version: "3", path: "db/migrations/3_name.up.sql" }]);

      // Migration 3 merged upstream (origin/HEAD), the local main not updated: the base is the
      // merge base with origin/HEAD, which has it.
      const merged = repo.git("rev-parse", "HEAD").trim();
      repo.git("update-ref", "refs/remotes/origin/main", merged);
      repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
      const upstream = await drift([]);
      expect(upstream.report.expected).toMatchObject({ ref: "origin/HEAD", sha: merged });
      expect(upstream.report.pending).toEqual([
        { version: "3", path: "db/migrations/3_name.up.sql" },
      ]);
    } finally {
      repo.git("update-ref", "-d", "refs/remotes/origin/HEAD");
      repo.git("update-ref", "-d", "refs/remotes/origin/main");
      repo.checkout("main");
    }
  });
});

describe("--cwd, sqlite://, and the JSON document", () => {
  test("--cwd finds the repository and resolves the SQLite path there; sqlite:// reads the same", async () => {
    migrated(2);
    const elsewhere = mkdtempSync(join(tmpdir(), "mw-drift-elsewhere-"));
    try {
      const r = await drift(["--cwd", repo.dir], elsewhere);
      expect(r.stderr).toBe("");
      expect(r.report.status).toBe("in-sync");
      const plain = await drift(
        ["--cwd", repo.dir, "--database-url", "sqlite://app.db"],
        elsewhere,
      );
      expect(plain.report).toMatchObject({
        status: "in-sync",
        database: { url: "sqlite://app.db" },
      });
      // Without --cwd the path is relative to where drift runs: no such file there.
      const lost = await drift([], elsewhere);
      expect(lost.code).toBe(2);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test("exactly the contract's keys at every level, values as documented", async () => {
    migrated(2, "CREATE TABLE scratch (x TEXT);");
    const r = await drift(["--ref", "main"]);
    expect(r.code).toBe(1);
    const doc = r.report;
    expect(Object.keys(doc)).toEqual([
      "tool",
      "database",
      "expected",
      "status",
      "pending",
      "differences",
      "notes",
    ]);
    expect(Object.keys(doc.tool)).toEqual(["name", "version"]);
    // The contract's dialect, url, version, dirty; server is docs/drift.md's addition.
    expect(Object.keys(doc.database)).toEqual(["dialect", "url", "version", "dirty", "server"]);
    // The contract's ref, version; sha and engine are docs/drift.md's additions.
    expect(Object.keys(doc.expected)).toEqual(["ref", "sha", "version", "engine"]);
    expect(doc.database).toMatchObject({ dialect: "sqlite", version: "2", dirty: false });
    expect(typeof doc.database.version).toBe("string");
    expect(doc.expected.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(doc.status).toBe("drift");
    expect(doc.differences.length).toBeGreaterThan(0);
    for (const d of doc.differences) {
      expect(Object.keys(d)).toEqual(["kind", "object", "change", "expected", "actual"]);
      expect(["added", "missing", "changed"]).toContain(d.change);
    }
    expect(doc.differences[0]).toEqual({
      kind: "table",
      object: "scratch",
      change: "added",
      expected: null,
      actual: expect.stringContaining("x TEXT"),
    });
    expect(Array.isArray(doc.notes)).toBe(true);
  });
});

describe("exit 2: usage and configuration errors, nothing on stdout", () => {
  test("no URL, an unknown format, an unknown option", async () => {
    for (const [args, env, says] of [
      [[], {}, "--database-url is required"],
      [
        ["--format", "sarif"],
        { MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://app.db" },
        "--format",
      ],
      [["--force"], { MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://app.db" }, "Unknown option"],
    ] as Array<[string[], Record<string, string>, string]>) {
      const r = await runCli(["drift", ...args], repo.dir, env);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(says);
    }
  });

  test("a broken configuration file, given or at the revision", async () => {
    migrated(2);
    const bad = join(repo.dir, "bad.yml");
    writeFileSync(bad, "directories:\n  - path: db/migrations\n    dialect: oracle\n");
    const given = await drift(["--config", bad]);
    expect(given.code).toBe(2);
    expect(given.stdout).toBe("");
    expect(given.stderr).toMatch(/dialect/);
    expect(given.stderr).not.toContain("internal error");
    writeFileSync(bad, "drift:\n  ignore: [unterminated\n");
    const yaml = await drift(["--config", bad]);
    expect(yaml.code).toBe(2);
    expect(yaml.stdout).toBe("");

    repo.branch("broken").checkout("broken");
    try {
      repo
        .write({ ".github/migration-warden.yml": "drift:\n  statementTimeoutMs: soon\n" })
        .commit("a broken configuration");
      const atRef = await drift(["--ref", "broken"]);
      expect(atRef.code).toBe(2);
      expect(atRef.stdout).toBe("");
      expect(atRef.stderr).toContain("statementTimeoutMs");
      expect(atRef.stderr).not.toContain("internal error");
    } finally {
      repo.checkout("main");
    }
  });
});
