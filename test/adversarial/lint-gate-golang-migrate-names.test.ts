/**
 * `migration-warden lint` as a CI gate, against file names golang-migrate still reads. Its
 * pattern `^([0-9]+)_(.*)\.(down|up)\.(.*)$` is Go's: `.` is any character but "\n". In
 * JavaScript `.` also refuses "\r", U+2028 and U+2029, so a migration named with one of them was
 * "ignored by golang-migrate" to lint (a warning where a repository lowers
 * invalid-migration-filename) while golang-migrate runs it: a second version 1, or a version below
 * the merged ones, passed with exit 0.
 *
 * Besides: what held (a symbolic link, a migration in a directory the base does not configure
 * while the head's configuration names it, a binary file).
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { classifyName, parseMigrationName } from "../../src/core/migrations/filename.js";
import { lintJson } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\n" +
  // A repository keeping notes beside its migrations may lower this one.
  "rules:\n  invalid-migration-filename: warning\n";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

/** main: config, 000001 and 000002 merged; branch `pr` adds `files`. */
function pullRequest(files: Record<string, string | Uint8Array>, config = CONFIG): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo
    .write({
      ".github/migration-warden.yml": config,
      "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
      "migrations/000001_users.down.sql": "DROP TABLE users;\n",
      "migrations/000002_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
      "migrations/000002_orders.down.sql": "DROP TABLE orders;\n",
    })
    .commit("base");
  repo.branch("pr").write(files).commit("pull request");
  return repo;
}

const errors = (report: any) =>
  report.findings
    .filter((f: any) => f.severity === "error" && !f.suppressed)
    .map((f: any) => f.ruleId);

describe("golang-migrate's names, read as golang-migrate reads them", () => {
  test.each([
    ["\r", "a carriage return"],
    ["\u2028", "U+2028"],
    ["\u2029", "U+2029"],
  ])("a name with %j (%s) is golang-migrate's migration", (ch) => {
    expect(parseMigrationName(`000003_x${ch}y.up.sql`)).toMatchObject({
      version: 3n,
      direction: "up",
    });
    expect(parseMigrationName(`000003_x.up.sql${ch}`)).toMatchObject({ extension: `sql${ch}` });
    expect(classifyName(`000003_x${ch}.up.sql`).kind).toBe("migration");
    // "\n" is the one character Go's `.` refuses: golang-migrate skips the file.
    expect(parseMigrationName(`000003_x\ny.up.sql`)).toBeNull();
  });

  test.each(["\r", "\u2028"])(
    "a second version 1 named with %j: duplicate-migration-version, exit 1",
    async (ch) => {
      const repo = pullRequest({
        [`migrations/000001_again${ch}.up.sql`]: "SELECT 1;\n",
        [`migrations/000001_again${ch}.down.sql`]: "SELECT 1;\n",
      });
      const r = await lintJson(["--base", "main", "--head", "pr"], repo.dir);
      expect(r.code).toBe(1);
      expect(errors(r.report)).toContain("duplicate-migration-version");
    },
  );

  test("a version below the merged ones, named with U+2029: out-of-order, exit 1", async () => {
    const repo = pullRequest({
      "migrations/000000_early\u2029.up.sql": "SELECT 1;\n",
      "migrations/000000_early\u2029.down.sql": "SELECT 1;\n",
    });
    const r = await lintJson(["--base", "main", "--head", "pr"], repo.dir);
    expect(r.code).toBe(1);
    expect(errors(r.report)).toContain("out-of-order-migration");
    expect(JSON.stringify(r.report)).not.toContain("silently ignores");
  });
});

describe("held: other ways into the directory", () => {
  test("a symbolic link golang-migrate would follow: an error, exit 1", async () => {
    const repo = pullRequest({ "other/drop.sql": "DROP TABLE users;\n" });
    repo.symlink("../other/drop.sql", "migrations/000003_drop.up.sql");
    repo.write({ "migrations/000003_drop.down.sql": "SELECT 1;\n" }).commit("link");
    const r = await lintJson(["--base", "main", "--head", "pr"], repo.dir);
    expect(r.code).toBe(1);
    expect(errors(r.report)).toContain("unanalyzable-migration-file");
  });

  test("a binary up file: an error, exit 1", async () => {
    const repo = pullRequest({
      "migrations/000003_blob.up.sql": new Uint8Array([0x44, 0x52, 0, 0xff, 0xfe, 0x00, 0x0a]),
      "migrations/000003_blob.down.sql": "SELECT 1;\n",
    });
    const r = await lintJson(["--base", "main", "--head", "pr"], repo.dir);
    expect(r.code).toBe(1);
  });

  test("the head's configuration adds a directory: the base's is used", async () => {
    const repo = pullRequest({
      ".github/migration-warden.yml": `${CONFIG}  - path: db/other\n    dialect: postgres\n`,
      "migrations/000003_drop.up.sql": "DROP TABLE users;\n",
      "migrations/000003_drop.down.sql": "SELECT 1;\n",
    });
    const r = await lintJson(["--base", "main", "--head", "pr"], repo.dir);
    expect(r.code).toBe(1);
    expect(errors(r.report)).toContain("drop-table");
  });
});
