import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { lintJson, runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

const UP = "CREATE TABLE t (id bigint);\n";
const DOWN = "DROP TABLE t;\n";

/** The committed base every test starts from, made once; each test gets its own copy. */
let base: TempRepo;
let repo: TempRepo;
beforeAll(() => {
  base = new TempRepo();
  base.write({
    "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint);\n",
    "migrations/000001_users.down.sql": "DROP TABLE users;\n",
    "migrations/000002_orders.up.sql": "CREATE TABLE orders (id bigint);\n",
    "migrations/000002_orders.down.sql": "DROP TABLE orders;\n",
    "src/main.go": "package main\n",
  });
  base.commit("base");
});
afterAll(() => base.cleanup());
beforeEach(() => {
  repo = TempRepo.copyOf(base);
});
afterEach(() => repo.cleanup());

test("a committed branch: --base/--head, JSON document and exit 1 on errors", async () => {
  repo.branch("feature");
  repo.write({ "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint, email text);\n" });
  repo.write({ "migrations/000003_t.up.sql": UP });
  const head = repo.commit("change");
  const base = repo.git("rev-parse", "main").trim();

  const { code, report, stderr } = await lintJson(
    ["--base", "main", "--head", "feature"],
    repo.dir,
  );
  expect(stderr).toBe("");
  expect(code).toBe(1);
  expect(report).toEqual({
    tool: { name: "migration-warden", version: expect.any(String) },
    base,
    head,
    changed: [
      { path: "migrations/000001_users.up.sql", version: 1, direction: "up", status: "modified" },
      { path: "migrations/000003_t.up.sql", version: 3, direction: "up", status: "added" },
    ],
    findings: [
      expect.objectContaining({
        ruleId: "modified-merged-migration",
        severity: "error",
        path: "migrations/000001_users.up.sql",
        startLine: 1,
        endLine: 1,
      }),
      expect.objectContaining({
        ruleId: "missing-down-migration",
        severity: "warning",
        path: "migrations/000003_t.up.sql",
      }),
    ],
    summary: { error: 1, warning: 1, notice: 0, suppressed: 0 },
    approvalRequired: true,
  });
  for (const f of report.findings) {
    expect(Object.keys(f).sort()).toEqual([
      "endLine",
      "message",
      "path",
      "ruleId",
      "severity",
      "startLine",
      "suggestion",
    ]);
  }
});

test("default base is the merge base with main; the working tree includes untracked files", async () => {
  repo.branch("feature");
  repo.write({ "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": DOWN }); // untracked
  repo.write({ "migrations/000004_x_up.sql": UP });
  const { code, report } = await lintJson([], repo.dir);
  expect(report.head).toBe("WORKTREE");
  expect(report.base).toBe(repo.git("rev-parse", "main").trim());
  expect(report.changed.map((c: { path: string }) => c.path)).toEqual([
    "migrations/000003_t.down.sql",
    "migrations/000003_t.up.sql",
    "migrations/000004_x_up.sql",
  ]);
  // Notices aside (the down file dropping what its up created is a drop-table notice).
  expect(
    report.findings
      .filter((f: { severity: string }) => f.severity !== "notice")
      .map((f: { ruleId: string }) => f.ruleId),
  ).toEqual(["invalid-migration-filename"]);
  expect(code).toBe(1);
});

test("a clean change exits 0 and approval follows the policy", async () => {
  repo.branch("feature");
  repo.write({ "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": DOWN });
  repo.commit("clean");
  const { code, report } = await lintJson(["--base", "main", "--head", "HEAD"], repo.dir);
  expect(code).toBe(0);
  // The down file dropping the table its up created is expected: only a notice.
  expect(
    report.findings.map((f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`),
  ).toEqual(["drop-table notice"]);
  expect(report.approvalRequired).toBe(true);
});

test("no migration change: nothing changed, no approval needed", async () => {
  repo.branch("feature");
  repo.write({ "src/main.go": "package main // edited\n" });
  repo.commit("code only");
  const { code, report } = await lintJson(["--head", "feature"], repo.dir);
  expect(code).toBe(0);
  expect(report.changed).toEqual([]);
  expect(report.approvalRequired).toBe(false);
});

test("the default base prefers origin/HEAD's merge base", async () => {
  const first = repo.git("rev-parse", "HEAD").trim();
  repo.git("update-ref", "refs/remotes/origin/main", first);
  repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
  // Local main moves on with version 3; origin does not know it yet.
  repo.write({ "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": DOWN });
  repo.commit("local main");
  const { report } = await lintJson([], repo.dir);
  expect(report.base).toBe(first);
  expect(report.changed.map((c: { version: number }) => c.version)).toEqual([3, 3]);
});

test("the base tip is what is merged: a version merged meanwhile makes ours a duplicate", async () => {
  repo.branch("feature");
  repo.write({
    "migrations/000003_feature.up.sql": UP,
    "migrations/000003_feature.down.sql": DOWN,
  });
  repo.commit("feature adds 3");
  repo.checkout("main");
  repo.write({ "migrations/000003_other.up.sql": UP, "migrations/000003_other.down.sql": DOWN });
  repo.commit("someone else merged 3");
  const { report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
  // Only the feature's files are the change (three-dot), checked against main's tip.
  expect(report.changed.map((c: { path: string }) => c.path)).toEqual([
    "migrations/000003_feature.down.sql",
    "migrations/000003_feature.up.sql",
  ]);
  expect(
    report.findings
      .filter((f: { severity: string }) => f.severity !== "notice")
      .map((f: { ruleId: string; path: string }) => `${f.path} ${f.ruleId}`),
  ).toEqual([
    "migrations/000003_feature.down.sql duplicate-migration-version",
    "migrations/000003_feature.up.sql duplicate-migration-version",
  ]);
});

test("renames and deletions of merged migrations are reported", async () => {
  repo.branch("feature");
  repo.git("mv", "migrations/000002_orders.up.sql", "migrations/000002_purchases.up.sql");
  repo.remove("migrations/000001_users.down.sql");
  repo.commit("rename and delete");
  const { report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
  expect(
    report.findings.map((f: { ruleId: string; path: string }) => `${f.path} ${f.ruleId}`),
  ).toEqual([
    "migrations/000001_users.down.sql deleted-merged-migration",
    "migrations/000002_purchases.up.sql renamed-merged-migration",
  ]);
});

describe("configuration comes from the base revision", () => {
  test("attacker: a branch that sets squashedBelow and deletes merged migrations gets errors", async () => {
    repo.branch("feature");
    repo.write({
      ".github/migration-warden.yml":
        "directories:\n  - path: migrations\n    dialect: postgres\n    squashedBelow: 2\n",
      "migrations/000002_baseline.up.sql":
        "CREATE TABLE users (id bigint);\nCREATE TABLE orders (id bigint);\n",
    });
    repo.remove(
      "migrations/000001_users.up.sql",
      "migrations/000001_users.down.sql",
      "migrations/000002_orders.up.sql",
      "migrations/000002_orders.down.sql",
    );
    repo.commit("squash and declare it in the same change");
    const { code, report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
    // Git may pair a squashed file with the similar baseline as a rename.
    const merged = (f: { ruleId: string }) =>
      f.ruleId === "deleted-merged-migration" || f.ruleId === "renamed-merged-migration";
    const deleted = report.findings.filter(merged);
    expect(deleted).toHaveLength(4);
    for (const f of deleted) expect(f.severity).toBe("error");
    expect(code).toBe(1);

    // Once the declaration is merged on its own, a later change may squash: warnings.
    repo.git("checkout", "-q", "main");
    repo.write({
      ".github/migration-warden.yml":
        "directories:\n  - path: migrations\n    dialect: postgres\n    squashedBelow: 2\n",
    });
    repo.commit("declare the squash");
    repo.git("checkout", "-q", "-b", "squash");
    repo.write({
      "migrations/000002_baseline.up.sql":
        "CREATE TABLE users (id bigint);\nCREATE TABLE orders (id bigint);\n",
    });
    repo.remove(
      "migrations/000001_users.up.sql",
      "migrations/000001_users.down.sql",
      "migrations/000002_orders.up.sql",
      "migrations/000002_orders.down.sql",
    );
    repo.commit("squash");
    const later = await lintJson(["--base", "main", "--head", "squash"], repo.dir);
    const warned = later.report.findings.filter(merged);
    expect(warned.map((f: { severity: string }) => f.severity)).toEqual([
      "warning",
      "warning",
      "warning",
      "warning",
    ]);
    expect(later.report.approvalRequired).toBe(true);
  });

  test("a config change in the branch does not weaken the check", async () => {
    repo.write({ ".github/migration-warden.yml": "rules:\n  missing-down-migration: error\n" });
    repo.commit("config on main");
    repo.branch("feature");
    repo.write({ ".github/migration-warden.yml": "rules:\n  missing-down-migration: off\n" });
    repo.write({ "migrations/000003_t.up.sql": UP });
    repo.commit("weaken config");
    const { code, report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: "missing-down-migration", severity: "error" }),
    ]);
    expect(code).toBe(1);
    // The working tree's edits do not count either.
    repo.write({ ".github/migration-warden.yml": "rules:\n  missing-down-migration: notice\n" });
    expect((await lintJson(["--base", "main"], repo.dir)).report.findings[0].severity).toBe(
      "error",
    );
  });

  test("migrations in a directory the branch's own config adds are not passed unreviewed", async () => {
    repo.write({ ".github/migration-warden.yml": "rules: {}\n" });
    repo.commit("config on main");
    repo.branch("feature");
    repo.write({
      ".github/migration-warden.yml":
        "directories:\n  - path: migrations\n    dialect: postgres\n  - path: db/extra\n    dialect: postgres\n",
      "db/extra/0001_wipe.up.sql": "DROP TABLE users;\n",
      "db/extra/0001_wipe.down.sql": "SELECT 1;\n",
    });
    repo.commit("a new directory and its first migration");
    const { code, report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
    expect(report.incomplete.join(" ")).toContain(
      "db/extra/0001_wipe.down.sql, db/extra/0001_wipe.up.sql are in db/extra, which this change adds",
    );
    expect(code).not.toBe(0);
  });

  test("configured directories and dialects are used", async () => {
    repo.write({
      ".github/migration-warden.yml": "directories:\n  - path: db/mysql\n    dialect: mysql\n",
      "db/mysql/1_a.up.sql": UP,
      "db/mysql/1_a.down.sql": DOWN,
    });
    repo.commit("mysql dir");
    repo.branch("feature");
    repo.write({
      "db/mysql/2_b.up.sql": UP,
      "db/mysql/2_b.down.sql": "# nothing\n",
      "migrations/000003_t.up.sql": UP,
    });
    const { report } = await lintJson([], repo.dir);
    expect(report.changed.map((c: { path: string }) => c.path)).toEqual([
      "db/mysql/2_b.down.sql",
      "db/mysql/2_b.up.sql",
    ]);
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: "empty-migration", severity: "notice" }),
    ]);
  });

  test("an invalid config at the base: exit 2, the error names file, ref and key, stdout is empty", async () => {
    repo.write({ ".github/migration-warden.yml": "approval:\n  count: 0\n" });
    repo.commit("bad config");
    repo.branch("feature");
    const r = await runCli(["lint", "--base", "main", "--format", "json"], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "migration-warden: invalid configuration .github/migration-warden.yml@main: approval.count: expected a positive integer\n",
    );
  });

  test("--config FILE replaces the base config", async () => {
    repo.write({ "local.yml": "rules:\n  missing-down-migration: off\n" });
    repo.branch("feature");
    repo.write({ "migrations/000003_t.up.sql": UP });
    const { report } = await lintJson(["--config", "local.yml"], repo.dir);
    expect(report.findings).toEqual([]);
  });
});

describe("exit status and --fail-on", () => {
  beforeEach(() => {
    repo.branch("feature");
    repo.write({ "migrations/000003_t.up.sql": UP }); // one warning
  });
  test.each([
    [[], 0],
    [["--fail-on", "error"], 0],
    [["--fail-on", "warning"], 1],
    [["--fail-on", "notice"], 1],
    [["--fail-on", "never"], 0],
  ])("%j → %i", async (args, expected) => {
    expect((await lintJson(args as string[], repo.dir)).code).toBe(expected);
  });
});

describe("usage and git errors exit 2 with nothing on stdout", () => {
  test.each([
    [["lint", "--format", "xml"], /--format must be one of text, json, sarif, github/],
    [["lint", "--fail-on", "fatal"], /--fail-on must be one of error, warning, notice, never/],
    [["lint", "--bogus"], /Unknown option '--bogus'/],
    [["lint", "--base", "no-such-branch"], /unknown revision "no-such-branch"/],
    [["lint", "--head", "nope"], /unknown revision "nope"/],
    [["lint", "--head", "HEAD", "migrations"], /--head cannot be combined with PATH/],
    [["lint", "missing-dir"], /missing-dir: no such file or directory/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("%j", async (args, message) => {
    const r = await runCli(args, repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });

  test("outside a git repository without PATH", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/mw-nogit-`);
    const r = await runCli(["lint"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not inside a git repository/);
  });

  test("no main and no origin/HEAD: asks for --base", async () => {
    repo.git("branch", "-m", "main", "trunk");
    const r = await runCli(["lint"], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --base <ref>/);
  });

  test("--help prints usage on stdout and exits 0", async () => {
    const r = await runCli(["lint", "--help"], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: migration-warden lint/);
  });
});

describe("PATH mode", () => {
  test("lints a directory's direct children alone, without merged-migration checks", async () => {
    repo.write({
      "scratch/5_a.up.sql": UP,
      "scratch/05_b.up.sql": UP,
      "scratch/nested/9_x.up.sql": UP,
      "scratch/README.md": "notes",
    });
    const { code, report } = await lintJson(
      ["scratch", "migrations/000001_users.up.sql"],
      repo.dir,
    );
    expect(code).toBe(1);
    expect(report.base).toBeNull();
    expect(report.changed.map((c: { path: string }) => c.path)).toEqual([
      "migrations/000001_users.up.sql",
      "scratch/05_b.up.sql",
      "scratch/5_a.up.sql",
    ]);
    expect(
      report.findings.map((f: { ruleId: string; path: string }) => `${f.path} ${f.ruleId}`),
    ).toEqual([
      "migrations/000001_users.up.sql missing-down-migration",
      "scratch/05_b.up.sql duplicate-migration-version",
      "scratch/05_b.up.sql missing-down-migration",
      "scratch/5_a.up.sql duplicate-migration-version",
      "scratch/5_a.up.sql missing-down-migration",
    ]);
  });

  test("the configuration comes from --base, else from the default base (origin/HEAD first)", async () => {
    // The merge base with origin/HEAD turns the rule off, "upstream" (origin/HEAD's target) makes
    // it an error, main's tip a warning; the working tree's own file is never read.
    const cfg = (level: string) => ({
      ".github/migration-warden.yml": `rules:\n  missing-down-migration: ${level}\n`,
    });
    repo.write(cfg("off")).commit("the merge base's configuration");
    repo.branch("upstream");
    repo.write(cfg("error")).commit("upstream's configuration");
    repo.git("update-ref", "refs/remotes/origin/upstream", "upstream");
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/upstream");
    repo.checkout("main");
    repo.write(cfg("warning")).commit("main's configuration");
    repo.write({ "scratch/5_a.up.sql": UP, ".github/migration-warden.yml": "{ not: yaml" });
    const severity = async (args: string[]) => {
      const { code, report, stderr } = await lintJson([...args, "scratch"], repo.dir);
      expect(stderr).toBe("");
      expect(code).toBeLessThan(2);
      return report.findings.find((f: any) => f.ruleId === "missing-down-migration")?.severity;
    };
    expect(await severity([])).toBeUndefined();
    expect(await severity(["--base", "upstream"])).toBe("error");
    expect(await severity(["--base", "main"])).toBe("warning");
    repo.git("update-ref", "-d", "refs/remotes/origin/HEAD");
    expect(await severity([])).toBe("warning");
    const unknown = await runCli(["lint", "--base", "no-such-branch", "scratch"], repo.dir);
    expect([unknown.code, unknown.stdout]).toEqual([2, ""]);
    expect(unknown.stderr).toMatch(/unknown revision "no-such-branch"/);
  });

  test("works outside a git repository, with paths relative to the current directory", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/mw-paths-`);
    writeFileSync(`${dir}/1_a.up.sql`, UP);
    writeFileSync(`${dir}/1_a.down.sql`, "");
    const { code, report } = await lintJson(["."], dir);
    expect(code).toBe(0);
    expect(report.findings).toEqual([
      expect.objectContaining({
        path: "1_a.down.sql",
        ruleId: "empty-migration",
        severity: "warning",
      }),
    ]);
  });
});

describe("PATH mode replay: a file given alone runs after the lower versions beside it", () => {
  const setup = async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/mw-paths-replay-`);
    mkdirSync(`${dir}/db`);
    writeFileSync(`${dir}/mw.yml`, "directories:\n  - path: db\n    dialect: sqlite\n");
    const files: Record<string, string> = {
      "1_t.up.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);\n",
      "1_t.down.sql": "DROP TABLE t;\n",
      "2_c.up.sql": "ALTER TABLE t ADD COLUMN c TEXT;\n",
      "2_c.down.sql": "ALTER TABLE t DROP COLUMN c;\n",
      // A later version on disk is not history: it must not run before 2_c.
      "3_drop.up.sql": "DROP TABLE t;\n",
      "3_drop.down.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT);\n",
    };
    for (const [n, t] of Object.entries(files)) writeFileSync(`${dir}/db/${n}`, t);
    const lint = async (...paths: string[]) => {
      const r = await runCli(["lint", "--format", "json", "--config", "mw.yml", ...paths], dir, {
        MIGRATION_WARDEN_CACHE_DIR: `${dir}/.cache`,
      });
      return { code: r.code, stderr: r.stderr, stdout: r.stdout, report: JSON.parse(r.stdout) };
    };
    return { dir, lint, write: (n: string, t: string) => writeFileSync(`${dir}/db/${n}`, t) };
  };
  const rules = (report: { findings: Array<{ ruleId: string; path: string }> }) =>
    report.findings.map((f) => `${f.path} ${f.ruleId}`);

  test("an ALTER of a table an earlier file created replays (no false replay-up-failed)", async () => {
    const { lint } = await setup();
    const r = await lint("db/2_c.up.sql", "db/2_c.down.sql");
    expect(r.stderr).toBe("");
    expect(rules(r.report)).not.toContainEqual(expect.stringMatching(/replay-/));
    // 1_t ran first, as history; 3_drop (a higher version) did not.
    expect(r.report.sections[0].data.base).toMatchObject({ files: 1, applied: 1 });
    expect(r.code).toBe(0);
  });

  test("a broken file in the history is reported, not hidden", async () => {
    const { lint, write } = await setup();
    write("1_t.up.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY;\n");
    const r = await lint("db/2_c.up.sql");
    expect(rules(r.report)).toContainEqual(
      expect.stringMatching(/replay-skipped|replay-up-failed/),
    );
  });

  test("the file's own failure is still found on top of the history", async () => {
    const { lint, write } = await setup();
    write("2_c.up.sql", "ALTER TABLE missing ADD COLUMN c TEXT;\n");
    const r = await lint("db/2_c.up.sql", "db/2_c.down.sql");
    expect(rules(r.report)).toContain("db/2_c.up.sql replay-up-failed");
    expect(r.code).toBe(1);
  });
});

describe("the working tree as git sees it", () => {
  test("a symlinked migration is reported, not followed", async () => {
    repo.branch("feature");
    repo.write({ "fixtures/seed.sql": "INSERT INTO users VALUES (1);\n" });
    repo.symlink("../fixtures/seed.sql", "migrations/000003_seed.up.sql");
    repo.write({ "migrations/000003_seed.down.sql": "DELETE FROM users WHERE id = 1;\n" });
    const { report } = await lintJson([], repo.dir);
    expect(report.findings).toEqual([
      expect.objectContaining({
        path: "migrations/000003_seed.up.sql",
        ruleId: "unanalyzable-migration-file",
        severity: "error",
      }),
    ]);
    // Committed, git records mode 120000 and --head mode sees the same.
    repo.commit("symlink");
    expect((await lintJson(["--head", "feature"], repo.dir)).report.findings).toEqual([
      expect.objectContaining({
        path: "migrations/000003_seed.up.sql",
        ruleId: "unanalyzable-migration-file",
      }),
    ]);
  });

  test("--cwd, --format sarif and --format github through the CLI", async () => {
    repo.branch("feature");
    repo.write({ "migrations/000003_t_up.sql": UP });
    const { tmpdir } = await import("node:os");
    const sarif = await runCli(
      ["lint", "--cwd", repo.dir, "--no-replay", "--format", "sarif"],
      tmpdir(),
    );
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].results[0]).toMatchObject({
      ruleId: "invalid-migration-filename",
      level: "error",
      locations: [
        { physicalLocation: { artifactLocation: { uri: "migrations/000003_t_up.sql" } } },
      ],
    });
    const gh = await runCli(["lint", "--no-replay", "--format", "github"], repo.dir);
    expect(gh.stdout).toMatch(
      /^::error file=migrations\/000003_t_up.sql,line=1,endLine=1,title=invalid-migration-filename::/,
    );
  });
});

describe("SQL that hides what it does (issue 11, items 5–8): reported through the CLI", () => {
  interface Attack {
    name: string;
    config?: string;
    /** Migrations already merged on main (besides the users/orders ones). */
    merged?: Record<string, string>;
    added: Record<string, string>;
    /** rule id → file that must carry it. */
    expect: Array<[string, string]>;
    dir?: string;
  }
  const pg = (multi = false) =>
    multi
      ? "directories:\n  - path: migrations\n    dialect: postgres\n    multiStatement: true\napproval:\n  required: risky\n"
      : "approval:\n  required: risky\n";
  const mysql =
    "directories:\n  - path: migrations\n    dialect: mysql\napproval:\n  required: risky\n";
  const attacks: Attack[] = [
    {
      name: "a data-modifying CTE",
      added: {
        "000003_x.up.sql": "WITH d AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM d;\n",
      },
      expect: [["dml-without-where", "000003_x.up.sql"]],
    },
    {
      name: "MERGE … WHEN MATCHED THEN DELETE",
      added: {
        "000003_x.up.sql":
          "MERGE INTO users u USING (SELECT 1) s ON true WHEN MATCHED THEN DELETE;\n",
      },
      expect: [["dml-without-where", "000003_x.up.sql"]],
    },
    {
      name: "PREPARE … AS DELETE; EXECUTE",
      added: { "000003_x.up.sql": "PREPARE p AS DELETE FROM users;\nEXECUTE p;\n" },
      expect: [["dml-without-where", "000003_x.up.sql"]],
    },
    {
      name: "a DO block that drops a table through EXECUTE, only when rows exist",
      added: {
        "000003_x.up.sql":
          "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'DROP TABLE users';\n  END IF;\nEND $$;\n",
      },
      expect: [["drop-table", "000003_x.up.sql"]],
    },
    {
      name: "dynamic SQL that cannot be read asks for approval",
      added: {
        "000003_x.up.sql":
          "DO $$ BEGIN EXECUTE format('TRUNCATE %I', current_setting('app.t')); END $$;\n",
      },
      expect: [["unanalyzable-statement", "000003_x.up.sql"]],
    },
    {
      name: "a function created in one migration and called in the next",
      added: {
        "000003_f.up.sql":
          "CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM users;\nEND $$;\n",
        "000004_call.up.sql": "SELECT purge();\n",
      },
      expect: [["dml-without-where", "000003_f.up.sql"]],
    },
    {
      name: "DELETE … WHERE true",
      added: { "000003_x.up.sql": "DELETE FROM users WHERE 1 = 1;\n" },
      expect: [["dml-without-where", "000003_x.up.sql"]],
    },
    {
      name: "DROP OWNED … CASCADE",
      added: { "000003_x.up.sql": "DROP OWNED BY app CASCADE;\n" },
      expect: [["drop-table", "000003_x.up.sql"]],
    },
    {
      name: "multiStatement: a ';' in a comment ends golang-migrate's piece",
      config: pg(true),
      added: { "000003_x.up.sql": "-- stale rows; DELETE FROM users;\n" },
      expect: [["dml-without-where", "000003_x.up.sql"]],
    },
    {
      name: "a merged migration turned standard_conforming_strings off",
      merged: { "000003_legacy.up.sql": "SET standard_conforming_strings = off;\n" },
      added: { "000004_x.up.sql": "SELECT '\\''; DELETE FROM users; -- '\n" },
      expect: [
        ["dml-without-where", "000004_x.up.sql"],
        ["string-syntax-change", "000004_x.up.sql"],
      ],
    },
    {
      name: "a migration of the change turns standard_conforming_strings off",
      added: {
        "000003_a.up.sql": "SET standard_conforming_strings = off;\n",
        "000004_b.up.sql": "SELECT '\\''; DELETE FROM users; -- '\n",
      },
      expect: [
        ["string-syntax-change", "000003_a.up.sql"],
        ["dml-without-where", "000004_b.up.sql"],
      ],
    },
    {
      name: "MySQL: a versioned comment is code",
      config: mysql,
      added: { "000003_x.up.sql": "/*!50000 DROP TABLE users */;\n" },
      expect: [["drop-table", "000003_x.up.sql"]],
    },
    {
      name: "MySQL: `--` before a byte-order mark is not a comment (only whitespace or a control character makes one)",
      config: mysql,
      added: {
        "000003_x.up.sql":
          "CREATE TABLE t (`\ufeff` int);\nSELECT 1 --\ufeff FROM t; DELETE FROM users;\n",
      },
      expect: [["dml-without-where", "000003_x.up.sql"]],
    },
    {
      name: "MySQL: `begin` as a name in a routine does not hide the next statement",
      config: mysql,
      added: {
        "000003_x.up.sql": "CREATE PROCEDURE p() SELECT begin FROM t;\nDROP TABLE users;\n",
      },
      expect: [["drop-table", "000003_x.up.sql"]],
    },
    {
      name: "MySQL: sql_mode NO_BACKSLASH_ESCAPES set by an earlier migration of the change",
      config: mysql,
      added: {
        "000003_a.up.sql": "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';\n",
        "000004_b.up.sql": "SELECT 'a\\'; DELETE FROM users; -- ';\n",
      },
      expect: [
        ["string-syntax-change", "000003_a.up.sql"],
        ["dml-without-where", "000004_b.up.sql"],
      ],
    },
  ];

  test.each(attacks)("$name", async (a) => {
    repo.write({ ".github/migration-warden.yml": a.config ?? pg(), ...prefix(a.merged ?? {}) });
    repo.commit("config and merged migrations");
    repo.branch("attack");
    repo.write(prefix(a.added));
    repo.commit("attack");
    const { code, report, stderr } = await lintJson(
      ["--base", "main", "--head", "attack"],
      repo.dir,
    );
    expect(stderr).toBe("");
    for (const [rule, file] of a.expect) {
      expect(
        report.findings
          .filter((f: { suppressed?: unknown }) => !f.suppressed)
          .map((f: { ruleId: string; path: string }) => `${f.ruleId} ${f.path}`),
      ).toContain(`${rule} migrations/${file}`);
    }
    expect(report.approvalRequired).toBe(true);
    const severities = report.findings.map((f: { severity: string }) => f.severity);
    expect(code).toBe(severities.includes("error") ? 1 : 0);
  });

  test("an honest idempotent DO block needs no approval under `required: risky`", async () => {
    repo.write({ ".github/migration-warden.yml": pg() });
    repo.commit("config");
    repo.branch("honest");
    repo.write(
      prefix({
        "000003_mood.up.sql":
          "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n    CREATE TYPE mood AS ENUM ('happy', 'sad');\n  END IF;\nEND $$;\n",
        "000003_mood.down.sql": "DROP TYPE IF EXISTS mood;\n",
      }),
    );
    repo.commit("honest");
    const { code, report } = await lintJson(["--base", "main", "--head", "honest"], repo.dir);
    expect(report.findings).toEqual([]);
    expect(report.approvalRequired).toBe(false);
    expect(code).toBe(0);
  });

  function prefix(files: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(files).map(([k, v]) => [`migrations/${k}`, v]));
  }
});

describe("the migration directory itself changes type (issue 11.1)", () => {
  const NOT_A_DIR = "migration-directory-not-a-directory";
  const findingsOf = (report: any) =>
    report.findings
      .filter((f: any) => f.ruleId === NOT_A_DIR)
      .map((f: any) => [f.path, f.severity]);

  test("a committed symlink to a directory the branch fills: exit 1, incomplete, approval required", async () => {
    repo.branch("feature");
    repo.git("rm", "-q", "-r", "migrations");
    repo.write({
      "sql/000001_users.up.sql": "CREATE TABLE users (id bigint);\n",
      "sql/000003_drop.up.sql": "DROP TABLE users;\n",
    });
    repo.symlink("sql", "migrations");
    repo.commit("link");
    const { code, report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
    expect(code).toBe(1);
    expect(findingsOf(report)).toEqual([["migrations", "error"]]);
    expect(report.incomplete).toEqual([
      expect.stringContaining("migrations is a symbolic link at the head of this change"),
    ]);
    expect(report.approvalRequired).toBe(true);
  });

  test("a symlinked directory in the working tree is the same attack", async () => {
    repo.git("rm", "-q", "-r", "--cached", "migrations");
    repo.git("commit", "-q", "-m", "untrack");
    repo.write({ "elsewhere/000001_users.up.sql": "DROP TABLE users;\n" });
    execFileSync("rm", ["-rf", join(repo.dir, "migrations")]);
    repo.symlink("elsewhere", "migrations");
    // Not even tracked: ignored by git, still followed by golang-migrate from this checkout.
    repo.write({ ".gitignore": "migrations\nelsewhere/\n" });
    const { code, report } = await lintJson(["--base", "main"], repo.dir);
    expect(code).toBe(1);
    expect(findingsOf(report)).toEqual([["migrations", "error"]]);
    expect(report.incomplete).toHaveLength(1);
  });

  test("a submodule (gitlink) at the directory's path", async () => {
    repo.branch("feature");
    repo.git("rm", "-q", "-r", "migrations");
    repo.git("update-index", "--add", "--cacheinfo", `160000,${"c".repeat(40)},migrations`);
    repo.git("commit", "-q", "-m", "submodule");
    const { code, report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
    expect(code).toBe(1);
    expect(report.findings.find((f: any) => f.ruleId === NOT_A_DIR).message).toContain(
      "migrations is a git submodule at the head of this change",
    );
  });

  test("a file replacing an ancestor of the directory", async () => {
    const cfg = "directories:\n  - path: db/migrations\n    dialect: postgres\n";
    repo.write({ ".github/migration-warden.yml": cfg, "db/migrations/000001_a.up.sql": UP });
    repo.commit("db");
    repo.branch("feature");
    repo.git("rm", "-q", "-r", "db");
    repo.write({ db: "not a directory\n" });
    repo.commit("file");
    const { code, report } = await lintJson(["--base", "main", "--head", "feature"], repo.dir);
    expect(code).toBe(1);
    expect(findingsOf(report)).toEqual([["db", "error"]]);
  });

  test("a configured directory missing on the base is a warning, not a silent pass", async () => {
    repo.write({
      ".github/migration-warden.yml":
        "directories:\n  - path: db/migration\n    dialect: postgres\n",
    });
    repo.commit("config with a typo");
    const { code, report } = await lintJson(["--base", "main", "--head", "main"], repo.dir);
    expect(code).toBe(0);
    expect(report.findings).toEqual([
      expect.objectContaining({
        ruleId: NOT_A_DIR,
        severity: "warning",
        path: "db/migration",
        message: expect.stringContaining("does not exist on the base branch"),
      }),
    ]);
  });
});
