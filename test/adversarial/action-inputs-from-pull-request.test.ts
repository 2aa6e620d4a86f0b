/**
 * The GitHub Action's path inputs against a pull request that changes what they name.
 *
 * `config`: the
 * checkout the Action lints is the pull request's, so a path "relative to the workspace" read from
 * disk is the pull request's own version: a migration with an error finding passed (exit 0) once
 * the same pull request turned the rule off in that file, or pointed `directories` elsewhere. The
 * configuration must be the base's, as it is without the input (docs/cli.md, "GitHub Action").
 *
 * `sarif-file`: a path in the checkout that the pull request made a symbolic link (the file, or a
 * directory on the way) let the pull request choose which file the Action overwrote with its
 * SARIF report: a file of the runner's, another step's output.
 *
 * In-process (runAction with a runner's environment), with the replay off: the findings are
 * lint's own, no sandbox needed.
 */
import { afterEach, describe, expect, jest, test } from "@jest/globals";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
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
  inputs: Record<string, string> = {},
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
      ...inputs,
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

describe("Action: inputs from the environment", () => {
  test("the step's own INPUT_FAIL_ON wins over an INPUT_FAIL-ON an earlier step exported", async () => {
    const { repo, base, head } = pullRequest({});
    const r = await action(repo.dir, { base, head }, "", {
      INPUT_FAIL_ON: "error",
      "INPUT_FAIL-ON": "never",
    });
    expect(r.code).toBe(1);
  });
});

describe("Action: sarif-file never writes through the pull request's links", () => {
  function victim() {
    const dir = mkdtempSync(join(tmpdir(), "mw-action-victim-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "runner-file");
    writeFileSync(file, "the runner's\n");
    return { dir, file };
  }

  test("the named file is a link the pull request added: refused (exit 2), the target intact", async () => {
    const { repo, base, head } = pullRequest({});
    const v = victim();
    symlinkSync(v.file, join(repo.dir, "results.sarif"));
    const r = await action(repo.dir, { base, head }, "", { INPUT_SARIF_FILE: "results.sarif" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "input sarif-file: results.sarif is a symbolic link in the checkout",
    );
    expect(readFileSync(v.file, "utf8")).toBe("the runner's\n");
  });

  test("a directory on the way is a link: refused before anything is created there", async () => {
    const { repo, base, head } = pullRequest({});
    const v = victim();
    symlinkSync(v.dir, join(repo.dir, "reports"));
    const r = await action(repo.dir, { base, head }, "", {
      INPUT_SARIF_FILE: "reports/new/runner-file",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("reached through a symbolic link in the checkout");
    expect(existsSync(join(v.dir, "new"))).toBe(false);
  });

  test("held: a plain path in the checkout and one outside it are written", async () => {
    const { repo, base, head } = pullRequest({});
    const inside = await action(repo.dir, { base, head }, "", {
      INPUT_SARIF_FILE: "out/results.sarif",
    });
    expect(inside.code).toBe(1);
    expect(JSON.parse(readFileSync(join(repo.dir, "out/results.sarif"), "utf8")).version).toBe(
      "2.1.0",
    );
    const v = victim();
    const outside = await action(repo.dir, { base, head }, "", {
      INPUT_SARIF_FILE: join(v.dir, "r.sarif"),
    });
    expect(outside.code).toBe(1);
    expect(existsSync(join(v.dir, "r.sarif"))).toBe(true);
  });
});
