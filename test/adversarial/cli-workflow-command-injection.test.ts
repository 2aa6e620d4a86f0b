/**
 * Workflow-command injection through the CLI's reports in a GitHub Actions log. A runner takes a
 * line whose first non-blank characters are `::` as a command, and the older `##[command]` form
 * anywhere in a line, on stdout and stderr alike. The Action fences its reports
 * (`::stop-commands::`), but `migration-warden lint --format text` (or json, markdown, sarif),
 * `drift` and `report approvals` in a plain `run:` step printed file names, SQL and database
 * names as they are: a migration named `000003_x\n::warning title=…::…\n.up.sql` put a line
 * `     ::warning …` in the text report (the runner trims the indent), and `##[add-mask]…` in a
 * name masked text in the rest of the log. Messages on stderr quote the same names.
 *
 * Each report must keep its meaning (JSON parses to the same document) and hold no such line.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import initSqlJs from "sql.js";
import { inertForRunner } from "../../src/cli/format/github.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

/** Lines a runner would take as workflow commands. */
function commandLines(out: string): string[] {
  return out.split(/\r\n|\r|\n/).filter((l) => /^[\s\u0085]*::/.test(l) || l.includes("##["));
}

const NEWLINE_NAME = "migrations/000003_x\n  ::warning title=INJECTED::from a file name\n.up.sql";
const MASK_NAME = "migrations/000003_##[add-mask]secret.up.sql";

function pullRequest(files: Record<string, string>): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo
    .write({
      ".github/migration-warden.yml": "directories:\n  - path: migrations\n    dialect: postgres\n",
      "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
      "migrations/000001_users.down.sql": "DROP TABLE users;\n",
    })
    .commit("base");
  repo.branch("pr").write(files).commit("pull request");
  return repo;
}

describe("inertForRunner", () => {
  test.each([
    ["::warning::x", "a command at the start"],
    ["  ::warning::x", "indented"],
    ["\u00a0\u0085::warning::x", "after no-break and next-line spaces"],
    ["a\r::warning::x", "after a lone carriage return"],
    ["text ##[add-mask]secret", "the old form, mid-line"],
  ])("%j (%s) is no command any more", (line) => {
    for (const kind of ["text", "markdown"] as const)
      expect(commandLines(inertForRunner(line, kind))).toEqual([]);
  });

  test("JSON keeps its meaning", () => {
    const doc = { path: "a/##[add-mask]b", message: "x\n::warning::y", n: 1 };
    const json = JSON.stringify(doc, null, 2);
    const inert = inertForRunner(json, "json");
    expect(commandLines(inert)).toEqual([]);
    expect(JSON.parse(inert)).toEqual(doc);
  });

  test("ordinary text is unchanged", () => {
    const text = "users.id::bigint\n  a :: b\n# heading\n[link](x)\n";
    expect(inertForRunner(text, "text")).toBe(text);
    expect(inertForRunner(text, "markdown")).toBe(text);
  });
});

describe("lint's reports in a runner's log", () => {
  test.each(["text", "markdown", "json", "sarif"])(
    "--format %s: a file name with a line break and one with ##[add-mask]",
    async (format) => {
      const repo = pullRequest({
        [NEWLINE_NAME]: "SELECT 1;\n",
        [MASK_NAME]: "DROP TABLE users;\n",
        "migrations/000003_##[add-mask]secret.down.sql": "SELECT 1;\n",
      });
      const r = await runCli(
        ["lint", "--base", "main", "--head", "pr", "--no-replay", "--format", format],
        repo.dir,
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("secret");
      expect(commandLines(r.stdout)).toEqual([]);
      if (format === "json") {
        const paths = JSON.parse(r.stdout).changed.map((c: any) => c.path);
        expect(paths).toContain(MASK_NAME);
      }
    },
  );

  test("--format github still writes its own commands", async () => {
    const repo = pullRequest({ [MASK_NAME]: "DROP TABLE users;\n" });
    const r = await runCli(
      ["lint", "--base", "main", "--head", "pr", "--no-replay", "--format", "github"],
      repo.dir,
    );
    expect(r.stdout).toMatch(/^::error file=migrations\/000003_##\[add-mask\]secret\.up\.sql,/m);
  });

  test("stderr: an error quoting what it was given", async () => {
    const repo = pullRequest({});
    const r = await runCli(
      ["lint", "--base", "nothing\n::error title=INJECTED::via stderr", "--no-replay"],
      repo.dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("INJECTED");
    expect(commandLines(r.stderr)).toEqual([]);
  });
});

describe("drift's report in a runner's log", () => {
  test("a live table named with a line break and ##[add-mask]", async () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo
      .write({
        ".github/migration-warden.yml": "directories:\n  - path: db\n    dialect: sqlite\n",
        "db/1_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
        "db/1_users.down.sql": "DROP TABLE users;\n",
      })
      .commit("migrations");
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.exec(
      "CREATE TABLE schema_migrations (version uint64, dirty bool);\n" +
        "INSERT INTO schema_migrations VALUES (1, 0);\n" +
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n" +
        'CREATE TABLE "x\n::warning title=INJECTED::from the database\n##[add-mask]users" (id int);\n',
    );
    writeFileSync(join(repo.dir, "app.db"), db.export());
    db.close();
    for (const format of ["text", "markdown", "json"]) {
      const r = await runCli(["drift", "--ref", "main", "--format", format], repo.dir, {
        MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://app.db",
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("INJECTED");
      expect(commandLines(r.stdout)).toEqual([]);
    }
  });
});
