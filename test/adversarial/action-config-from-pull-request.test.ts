/**
 * The GitHub Action's `config` input against a pull request that edits the file it names. The
 * checkout the Action lints is the pull request's, so a path "relative to the workspace" read from
 * disk is the pull request's own version: a migration with an error finding passed (exit 0) once
 * the same pull request turned the rule off in that file, or pointed `directories` elsewhere. The
 * configuration must be the base's, as it is without the input (docs/cli.md, "GitHub Action").
 *
 * In-process (runAction with a runner's environment), with the replay off: the findings are
 * lint's own, no sandbox needed.
 */
import { afterEach, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAction } from "../../src/cli/action/index.js";
import { TempRepo } from "../support/git-repo.js";

jest.setTimeout(60_000);

const BASE_CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\nrules:\n  drop-table: error\n";
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/**
 * main has ci/mw.yml (drop-table: error) and users; the pull request drops users, with `files`
 * besides. The workspace is checked out at the pull request's head, as actions/checkout leaves it.
 */
function pullRequest(files: Record<string, string>, remove: string[] = []) {
  const repo = new TempRepo();
  cleanups.push(() => repo.cleanup());
  repo
    .write({
      "ci/mw.yml": BASE_CONFIG,
      "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
      "migrations/000001_users.down.sql": "DROP TABLE users;\n",
    })
    .commit("base");
  const base = repo.git("rev-parse", "HEAD").trim();
  repo.branch("pr");
  if (remove.length > 0) repo.remove(...remove);
  const head = repo
    .write({
      "migrations/000002_drop.up.sql": "DROP TABLE users;\n",
      "migrations/000002_drop.down.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
      ...files,
    })
    .commit("drop users");
  return { repo, base, head };
}

async function action(
  workspace: string,
  revs: { base: string; head: string },
  config: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const temp = mkdtempSync(join(tmpdir(), "mw-action-config-"));
  cleanups.push(() => rmSync(temp, { recursive: true, force: true }));
  const event = join(temp, "event.json");
  writeFileSync(
    event,
    JSON.stringify({
      pull_request: { number: 7, base: { sha: revs.base }, head: { sha: revs.head } },
    }),
  );
  let stdout = "";
  let stderr = "";
  const code = await runAction({
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
    cwd: workspace,
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: event,
      RUNNER_TEMP: temp,
      MIGRATION_WARDEN_CACHE_DIR: join(temp, "cache"),
      INPUT_CONFIG: config,
      INPUT_REPLAY: "false",
    },
  });
  return { code, stdout, stderr };
}

describe("Action: the config input is the base's, never the pull request's", () => {
  test("control: the base's file, unchanged, fails the drop (exit 1)", async () => {
    const { repo, base, head } = pullRequest({});
    const r = await action(repo.dir, { base, head }, "ci/mw.yml");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error file=migrations\/000002_drop\.up\.sql.*title=drop-table/);
  });

  test("the pull request turns the rule off in the named file: still exit 1", async () => {
    const { repo, base, head } = pullRequest({
      "ci/mw.yml": BASE_CONFIG.replace("drop-table: error", "drop-table: off"),
    });
    const r = await action(repo.dir, { base, head }, "ci/mw.yml");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/title=drop-table/);
  });

  test("the pull request points directories elsewhere: still exit 1", async () => {
    const { repo, base, head } = pullRequest({
      "ci/mw.yml": "directories:\n  - path: nothing-here\n    dialect: postgres\n",
    });
    const r = await action(repo.dir, { base, head }, "./ci/../ci/mw.yml");
    expect(r.code).toBe(1);
  });

  test("the pull request replaces the file with a link out of the checkout: the base's", async () => {
    const { repo, base, head } = pullRequest({});
    const outside = mkdtempSync(join(tmpdir(), "mw-action-outside-"));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, "lenient.yml"), "rules:\n  drop-table: off\n");
    unlinkSync(join(repo.dir, "ci/mw.yml"));
    symlinkSync(join(outside, "lenient.yml"), join(repo.dir, "ci/mw.yml"));
    const r = await action(repo.dir, { base, head }, "ci/mw.yml");
    expect(r.code).toBe(1);
  });

  test("a file the pull request adds: refused with its name (exit 2), never a pass", async () => {
    const { repo, base, head } = pullRequest({ "ci/new.yml": "rules:\n  drop-table: off\n" });
    const r = await action(repo.dir, { base, head }, "ci/new.yml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "input config: ci/new.yml is not in the pull request #7's base commit",
    );
    expect(r.stdout).toMatch(/^::error title=migration-warden::input config: ci\/new\.yml/m);
  });

  test("held: a file outside the repository (the workflow's own) is read from disk", async () => {
    const { repo, base, head } = pullRequest({});
    const outside = mkdtempSync(join(tmpdir(), "mw-action-workflow-"));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    const file = join(outside, "mw.yml");
    writeFileSync(file, readFileSync(join(repo.dir, "ci/mw.yml"), "utf8").replace("error", "off"));
    const r = await action(repo.dir, { base, head }, file);
    // The workflow's choice: drop-table off, the lock-timeout warning does not fail the step.
    expect(r.code).toBe(0);
  });

  test("a configuration error in the base's file names the file and the base commit", async () => {
    const { repo, head } = pullRequest({});
    repo.git("checkout", "-q", "main");
    writeFileSync(join(repo.dir, "ci/mw.yml"), "rules:\n  drop-tabel: error\n");
    const fixedBase = repo.commit("typo");
    repo.git("checkout", "-q", "pr");
    const r = await action(repo.dir, { base: fixedBase, head }, "ci/mw.yml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ci/mw.yml@${fixedBase}`);
  });
});
