/**
 * The nightly workflow docs/drift.md gives ("Nightly, with an issue when drift appears") is a
 * program people copy: its YAML must parse into the workflow it says, and its two scripts must
 * work on drift's real JSON output. They run here under bash, with `node` and `gh` replaced by
 * stubs (the stub `node` prints a report drift made in this test, with its exit code; the stub `gh`
 * records what it was asked) and the real `jq`. Skipped, saying why, without bash or jq.
 *
 * What it checks: exit 0 and 1 give the status to the next step, anything else (2, or a crash)
 * fails the job and leaves the issue alone; the issue body's table keeps one row per difference
 * whatever the definitions hold (`||`, newlines, backticks); the issue is created, updated, or
 * closed as the status says.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import initSqlJs from "sql.js";
import { parse } from "yaml";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

jest.setTimeout(120_000);

const doc = readFileSync(new URL("../../docs/drift.md", import.meta.url), "utf8");
const section = doc.slice(doc.indexOf("## Nightly, with an issue when drift appears"));
const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The pipes of a Markdown table row that separate cells: not escaped by a backslash. */
function columnPipes(row: string): number {
  let n = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === "\\") i++;
    else if (row[i] === "|") n++;
  }
  return n;
}

const missing = ["bash", "jq"].find(
  (cmd) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status !== 0,
);

describe("the workflow in docs/drift.md parses into what it says", () => {
  test("a nightly schedule, issues: write, the drift step reading the secret, JSON output", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const wf = parse(blocks[0]!);
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(wf.permissions).toEqual({ contents: "read", issues: "write" });
    const steps = wf.jobs.drift.steps;
    const run = steps.find((s: any) => s.id === "drift");
    expect(run.env.MIGRATION_WARDEN_DRIFT_DATABASE_URL).toBe("${{ secrets.DRIFT_DATABASE_URL }}");
    expect(run.run).toContain('drift --ref "$GITHUB_SHA" --format json > drift.json');
    // Not published to npm: the CLI is built from its repository before the step runs it.
    const source = steps.findIndex(
      (s: any) => s.with?.repository === "migration-warden/migration-warden",
    );
    const build = steps.findIndex((s: any) => /npm ci\b.*&& npm run build/.test(s.run ?? ""));
    expect(source).toBeGreaterThan(-1);
    expect(build).toBeGreaterThan(source);
    expect(steps[build]["working-directory"]).toBe(steps[source].with.path);
    expect(run.run).toContain(`node ${steps[source].with.path}/lib/cli/main.js drift`);
    expect(run.run).not.toMatch(/\bnpx\b/);
    const issue = steps.find((s: any) => s.name === "Open, update or close the drift issue");
    expect(issue.env.STATUS).toBe("${{ steps.drift.outputs.status }}");
    // The MySQL replay service: a fragment of a job, which parses too.
    expect(parse(blocks[1]!).services.replay.image).toMatch(/^mysql:/);
  });
});

(missing ? describe.skip : describe)(
  `the workflow's scripts on drift's real output${missing ? ` (skipped: ${missing} not found)` : ""}`,
  () => {
    const steps = blocks.length > 0 ? parse(blocks[0]!).jobs.drift.steps : [];
    const compare: string = steps.find((s: any) => s.id === "drift")?.run ?? "";
    const report: string =
      steps.find((s: any) => s.name === "Open, update or close the drift issue")?.run ?? "";
    const work = mkdtempSync(join(tmpdir(), "mw-drift-workflow-"));
    const bin = join(work, "bin");
    const repo = new TempRepo();
    const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-workflow-cache-"));
    const reports: Record<"in-sync" | "drift", string> = { "in-sync": "", drift: "" };

    beforeAll(async () => {
      mkdirSync(bin);
      // The step runs `node .migration-warden/lib/cli/main.js drift …`: a stub `node` stands in.
      writeFileSync(join(bin, "node"), '#!/bin/sh\ncat "$FAKE_REPORT"\nexit "$FAKE_CODE"\n');
      writeFileSync(
        join(bin, "gh"),
        '#!/bin/sh\necho "gh $*" >> "$GH_LOG"\n[ "$1 $2" = "issue list" ] && echo "$FAKE_ISSUE"\nexit 0\n',
      );
      chmodSync(join(bin, "node"), 0o755);
      chmodSync(join(bin, "gh"), 0o755);
      repo
        .write({
          ".github/migration-warden.yml":
            "directories:\n  - path: db/migrations\n    dialect: sqlite\n",
          "db/migrations/1_users.up.sql":
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n",
          "db/migrations/2_name.up.sql": "ALTER TABLE users ADD COLUMN name TEXT;\n",
        })
        .commit("migrations");
      seedCacheDir(cacheDir);
      const SQL = await initSqlJs();
      for (const status of ["in-sync", "drift"] as const) {
        const db = new SQL.Database();
        db.exec(
          "CREATE TABLE schema_migrations (version uint64, dirty bool);" +
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);" +
            "INSERT INTO schema_migrations VALUES (1, 0);",
        );
        // By hand: definitions with ||, a newline and a backtick, which a table row must hold.
        if (status === "drift")
          db.exec(
            "CREATE TABLE `tags` (name TEXT CHECK (name || '' <> ''));\n" +
              "CREATE VIEW named AS\n  SELECT email || ' ' || id AS label\n  FROM users;",
          );
        writeFileSync(join(repo.dir, "app.db"), db.export());
        db.close();
        const r = await runCli(["drift", "--format", "json", "--ref", "main"], repo.dir, {
          MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://app.db",
          MIGRATION_WARDEN_CACHE_DIR: cacheDir,
        });
        expect(r.code).toBe(status === "drift" ? 1 : 0);
        expect(JSON.parse(r.stdout).status).toBe(status);
        reports[status] = join(work, `${status}.json`);
        writeFileSync(reports[status], r.stdout);
      }
    });

    afterAll(() => {
      repo.cleanup();
      rmSync(work, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    });

    /** Runs a script in a fresh directory, as the runner would (bash -e). */
    function step(script: string, env: Record<string, string>) {
      const dir = mkdtempSync(join(work, "step-"));
      writeFileSync(join(dir, "output"), "");
      writeFileSync(join(dir, "gh.log"), "");
      if (env.DRIFT_JSON) writeFileSync(join(dir, "drift.json"), readFileSync(env.DRIFT_JSON));
      const r = spawnSync("bash", ["-e", "-c", script], {
        cwd: dir,
        encoding: "utf8",
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          HOME: dir,
          GITHUB_OUTPUT: join(dir, "output"),
          GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
          GITHUB_SERVER_URL: "https://github.com",
          GITHUB_REPOSITORY: "acme/app",
          GITHUB_RUN_ID: "42",
          GH_LOG: join(dir, "gh.log"),
          ...env,
        },
      });
      const read = (f: string) => {
        try {
          return readFileSync(join(dir, f), "utf8");
        } catch {
          return "";
        }
      };
      return {
        code: r.status,
        stderr: r.stderr,
        output: read("output"),
        gh: read("gh.log").trim().split("\n").filter(Boolean),
        body: read("body.md"),
      };
    }

    test("the drift step: exit 0 and 1 pass the status on; 2 or a crash fail the job", () => {
      for (const [status, code] of [
        ["in-sync", "0"],
        ["drift", "1"],
      ] as const) {
        const r = step(compare, { FAKE_REPORT: reports[status], FAKE_CODE: code });
        expect(r.code).toBe(0);
        expect(r.output).toBe(`status=${status}\n`);
      }
      for (const code of ["2", "13"]) {
        const r = step(compare, { FAKE_REPORT: "/dev/null", FAKE_CODE: code });
        expect(r.code).toBe(Number(code));
        expect(r.output).toBe("");
      }
    });

    test("drift and no open issue: one is created; its table has one row per difference", () => {
      const r = step(report, { DRIFT_JSON: reports.drift, STATUS: "drift", FAKE_ISSUE: "" });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.gh).toEqual([
        "gh label create schema-drift --color B60205 --description migration-warden drift",
        "gh issue list --label schema-drift --state open --json number --jq .[0].number",
        "gh issue create --title Schema drift: drift --label schema-drift --body-file body.md",
      ]);
      const json = JSON.parse(readFileSync(reports.drift, "utf8"));
      const differences = json.differences;
      expect(differences.length).toBeGreaterThanOrEqual(3);
      expect(r.body).toContain("## Schema drift: drift");
      expect(r.body).toContain(
        `at version 1; compared with version 1 of ${json.expected.sha.slice(0, 12)}.`,
      );
      expect(r.body).toContain("Pending (not applied yet): 2");
      expect(r.body).toContain("Run: https://github.com/acme/app/actions/runs/42");
      const rows = r.body.split("\n").filter((l) => /^\| (added|missing|changed) \|/.test(l));
      expect(rows).toHaveLength(differences.length);
      for (const row of rows) {
        // Five cells: each pipe inside a definition escaped by one backslash (two escape each other).
        expect(columnPipes(row)).toBe(6);
      }
      expect(rows.join("\n")).toContain("\\|");
      expect(r.body).not.toContain("gsub");
    });

    test("definitions over several lines (Postgres prints views so) stay in their row", () => {
      // drift's real report, with a definition as pg_get_viewdef prints it and a backtick.
      const json = JSON.parse(readFileSync(reports.drift, "utf8"));
      json.differences[0].object = "public.`odd`";
      json.differences[0].actual =
        " SELECT users.email || ' ' AS label,\n    users.id\n   FROM users;";
      const file = join(work, "multiline.json");
      writeFileSync(file, JSON.stringify(json));
      const r = step(report, { DRIFT_JSON: file, STATUS: "drift", FAKE_ISSUE: "" });
      const rows = r.body.split("\n").filter((l) => /^\| (added|missing|changed) \|/.test(l));
      expect(rows).toHaveLength(json.differences.length);
      expect(rows[0]).toBe(
        "| added | view | `public.'odd'` | — | ` SELECT users.email \\|\\| ' ' AS label,     users.id    FROM users;` |",
      );
    });

    test("drift with an open issue: it is updated; in sync: it is closed; in sync and none: nothing", () => {
      const still = step(report, { DRIFT_JSON: reports.drift, STATUS: "drift", FAKE_ISSUE: "7" });
      expect(still.gh.slice(2)).toEqual([
        "gh issue edit 7 --body-file body.md",
        expect.stringMatching(/^gh issue comment 7 --body Still drift on \d{4}-\d\d-\d\d\.$/),
      ]);
      const back = step(report, {
        DRIFT_JSON: reports["in-sync"],
        STATUS: "in-sync",
        FAKE_ISSUE: "7",
      });
      expect(back.gh.slice(2)).toEqual([
        expect.stringMatching(/^gh issue close 7 --comment Back in sync on \d{4}-\d\d-\d\d\.$/),
      ]);
      const quiet = step(report, {
        DRIFT_JSON: reports["in-sync"],
        STATUS: "in-sync",
        FAKE_ISSUE: "",
      });
      expect(quiet.code).toBe(0);
      expect(quiet.gh.slice(2)).toEqual([]);
    });
  },
);
