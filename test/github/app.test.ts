import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  unmarked,
  useHarness,
} from "./harness.js";
/** With the marker that finds the run again when the answer to its create is lost. */
const PENDING_OUTPUT = {
  title: "Checking migrations…",
  summary: expect.stringMatching(
    /^migration-warden is reading the configuration, the changed files and the migration directories\.\n\n<!-- migration-warden evaluation started=\d+ -->\n\n<!-- migration-warden run [0-9a-f-]{36} -->$/,
  ),
};
/** Each create's marker is its own. */
const MARKER = /<!-- migration-warden run [0-9a-f-]{36} -->/;

let h: Harness;
useHarness((created) => (h = created));

function run(index = 0) {
  const r = h.fake.checkRuns[index];
  if (!r) throw new Error(`no check run #${index}`);
  return r;
}

describe("pull_request.opened with a risky change", () => {
  test("fails the lint check with one annotation per finding, reading only what it needs", async () => {
    const { repo, baseSha, headSha, number } = helloWorld(h.fake, mergedMigrations(3), {
      // An edit to a merged migration, and a new version without its down file.
      "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id int PRIMARY KEY);\n",
      "migrations/0004_t4.up.sql": "CREATE TABLE t4 (id bigint PRIMARY KEY);\n",
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    const commit = repo.branches.get("master")!;
    // No configuration file: the base's root tree and .github, verified, came with the first
    // query and confirm it (first-read/base-root.ts): no tree read by REST.
    expect(h.calls().filter((c) => c.includes("/git/trees/"))).toEqual([]);
    expect(h.calls()).toEqual([
      "POST /app/installations/1/access_tokens",
      // The pull request, its changed files, the other pull requests of its head commit, its base
      // tip and the configuration file there in one query (pull-request-query.ts), with the first
      // page of its approval facts (first-read/approval-facts.ts); the branch for its protection,
      // and the tip the query saw.
      "POST /graphql",
      // Both runs started in progress in one mutation (checks/batch-create.ts).
      "POST /graphql",
      "GET /repos/Codertocat/Hello-World/branches/master",
      // The git objects, verified by their ids: the trees along migrations/ (and .github/) at the
      // base and the head, the two changed blobs (by path at the head: the query's file list
      // names no blob ids) and the edited merged file's base copy (its findings are limited to
      // the edited lines); with them the merged migrations' entries and texts for the sandbox
      // replay, which this process has not read yet (base-texts.ts; then it caches the state).
      "POST /graphql",
      // The approval check: the same evaluation (its head trees are already read); the other
      // pull requests of the head commit, the base changes and review dismissals (approvals bind
      // to the base they were given against), reviews, commits and the clicks recorded on them
      // came whole with the first query.
      // Whether rulesets require the gate (branch protection came with the branch).
      "GET /repos/Codertocat/Hello-World/rules/branches/master?per_page=100",
      // Both runs completed in one mutation (checks/batch-update.ts).
      "POST /graphql",
    ]);
    expect(commit).toBe(baseSha);
    const [, gather, merged] = h.fake.requests.filter(
      (r) => r.path === "/graphql" && !/^\s*mutation\b/.test((r.body as { query: string }).query),
    );
    expect((gather!.body as { variables: unknown }).variables).toEqual({
      owner: "Codertocat",
      name: "Hello-World",
      c0: baseSha,
      c1: headSha,
      t0: `${baseSha}:`,
      t1: `${baseSha}:migrations`,
      t2: `${baseSha}:.github`,
      t3: `${headSha}:`,
      t4: `${headSha}:migrations`,
      t5: `${headSha}:.github`,
      f0: `${headSha}:migrations/0002_t2.up.sql`,
      f1: `${headSha}:migrations/0004_t4.up.sql`,
      f2: `${baseSha}:migrations/0002_t2.up.sql`,
      // The approved reviews' commits come along (approved-trees.ts; no ancestor below the root).
      pr: 2,
      // The directory the replay reads, as its own query would name it (base-files.ts).
      texts: `${baseSha}:migrations`,
    });
    // No request of the replay's own (MigrationWardenBaseDirectory).
    expect(merged).toBeUndefined();
    // Trees read by REST are listed without `recursive`: checked where they are read now
    // (first-read-base-root.test.ts, the part failed).

    const [create, complete] = h.checkRunBodies(LINT);
    expect(create!.body).toEqual({
      name: LINT,
      head_sha: headSha,
      external_id: "Codertocat/Hello-World#2",
      status: "in_progress",
      output: PENDING_OUTPUT,
    });
    const body = complete!.body as {
      status: string;
      conclusion: string;
      output: { title: string; summary: string; annotations: unknown[] };
    };
    expect(body.status).toBe("completed");
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("1 error, 1 warning, 0 notices");
    expect(body.output.annotations).toEqual([
      {
        path: "migrations/0002_t2.up.sql",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        title: "modified-merged-migration",
        message: expect.stringMatching(
          /^0002_t2\.up\.sql is already merged \(version 2\).*\n\nSafer: .*\n\nRule: https:\/\/github\.com\/migration-warden\/migration-warden\/blob\/main\/docs\/rules\/modified-merged-migration\.md$/s,
        ),
      },
      {
        path: "migrations/0004_t4.up.sql",
        start_line: 1,
        end_line: 1,
        annotation_level: "warning",
        title: "missing-down-migration",
        message: expect.stringContaining("Rule: https://github.com/"),
      },
    ]);
    expect(body.output.summary).toContain("**1 error** · **1 warning** · 0 notices");
    expect(body.output.summary).toContain(
      "| 1 | error | [`modified-merged-migration`](https://github.com/migration-warden/migration-warden/blob/main/docs/rules/modified-merged-migration.md) |",
    );
    expect(body.output.summary).toContain("| `migrations/0004_t4.up.sql` | 4 | up | added |");

    expect(run().status).toBe("completed");
    expect(run().history).toEqual([
      { status: "in_progress", conclusion: null },
      { status: "completed", conclusion: "failure" },
    ]);
  });

  test("annotates a finding at its exact lines, and lists suppressed findings with their reason", async () => {
    const up = [
      "-- migration-warden:ignore-file missing-down-migration -- forward-only table, never rolled back",
      "CREATE TABLE audit (id bigint PRIMARY KEY);",
      "",
      "-- migration-warden:ignore",
      "CREATE INDEX audit_id ON audit (id);",
      "",
    ].join("\n");
    const { repo, number } = helloWorld(h.fake, mergedMigrations(1), {
      "migrations/0002_audit.up.sql": up,
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    expect(run().conclusion).toBe("neutral");
    expect(run().output.title).toBe("0 errors, 1 warning, 0 notices (1 suppressed)");
    expect(run().annotations).toEqual([
      {
        path: "migrations/0002_audit.up.sql",
        start_line: 1,
        end_line: 1,
        annotation_level: "notice",
        title: "missing-down-migration (suppressed)",
        message: expect.stringMatching(
          /^Suppressed by an ignore comment: forward-only table, never rolled back\n\n/,
        ),
      },
      {
        path: "migrations/0002_audit.up.sql",
        start_line: 4,
        end_line: 4,
        annotation_level: "warning",
        title: "ignore-without-reason",
        message: expect.stringContaining("gives no reason"),
      },
    ]);
    expect(run().output.summary).toContain("### Suppressed findings");
    expect(run().output.summary).toContain("| forward-only table, never rolled back |");
  });
});

describe("no migration changes", () => {
  test("succeeds after reading only the config and the file list", async () => {
    const { repo, headSha, number } = helloWorld(h.fake, mergedMigrations(2), {
      "README.md": "# Hello again\n",
      "src/app.go": "package main\n",
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    expect(h.calls().slice(1)).toEqual([
      "POST /graphql",
      "POST /graphql",
      "GET /repos/Codertocat/Hello-World/branches/master",
      // No configuration file: the base's root tree, verified, came with the first query and
      // confirms it (first-read/base-root.ts).
      // Another open pull request with this head could still need an approval: the pull
      // request's query listed none.
      "GET /repos/Codertocat/Hello-World/rules/branches/master?per_page=100",
      // Before the passing results: no newer run of either check on this commit (one listing).
      `GET /repos/Codertocat/Hello-World/commits/${headSha}/check-runs?app_id=123&filter=all&per_page=100`,
      "POST /graphql",
    ]);
    expect(h.runs(APPROVAL).map((r) => [r.conclusion, r.output.title])).toEqual([
      ["success", "No migration changed"],
    ]);
    expect(unmarked(h.checkRunBodies(LINT)[1]!.body)).toEqual({
      status: "completed",
      conclusion: "success",
      output: {
        title: "No migration changes",
        summary:
          "This pull request changes no file in the migration directories (`migrations`) configured in `.github/migration-warden.yml` on `master`.",
      },
    });
    expect(run().head_sha).toBe(headSha);
  });
});

describe("configuration", () => {
  const config = (dir: string) => `directories:\n  - path: ${dir}\n    dialect: postgres\n`;

  test("comes from the base branch tip, never from the pull request", async () => {
    const { repo, number } = helloWorld(
      h.fake,
      {
        ".github/migration-warden.yml": config("db/migrations"),
        ...mergedMigrations(2, "db/migrations"),
      },
      {
        // The PR points the config elsewhere and edits a merged migration: the base config wins.
        ".github/migration-warden.yml": config("elsewhere"),
        "db/migrations/0001_t1.up.sql": "CREATE TABLE t1 (id int);\n",
      },
    );
    // The base branch moves after the PR was opened: the PR's base.sha is stale now.
    const staleBase = repo.pullJSON(number).base.sha;
    const tip = repo.commit({ branch: "master", files: { "docs/x.md": "x\n" } });
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));

    expect(staleBase).not.toBe(tip);
    // The file came with the pull request's query, read at the tip the branch read confirmed.
    expect(h.calls().filter((c) => c.includes("/contents/"))).toEqual([]);
    expect(h.calls()).toContain("GET /repos/Codertocat/Hello-World/branches/master");
    expect(run().conclusion).toBe("failure");
    expect(run().annotations.map((a) => [a.path, a.title])).toEqual([
      ["db/migrations/0001_t1.up.sql", "modified-merged-migration"],
    ]);
  });

  test("invalid on the base: failure naming file, ref and key, and nothing else is read", async () => {
    const { repo, baseSha, headSha, number } = helloWorld(
      h.fake,
      { ".github/migration-warden.yml": "approval:\n  count: 0\n" },
      { "migrations/0001_a.up.sql": "DROP TABLE users;\n" },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    expect(h.calls().slice(1)).toEqual([
      "POST /graphql",
      "POST /graphql",
      "GET /repos/Codertocat/Hello-World/branches/master",
      // The approval summary still says whether the gate is enforced.
      "GET /repos/Codertocat/Hello-World/rules/branches/master?per_page=100",
      "POST /graphql",
    ]);
    const complete = h.checkRunBodies(LINT)[1]!.body as {
      conclusion: string;
      output: { title: string; summary: string; annotations?: unknown };
    };
    expect(complete.conclusion).toBe("failure");
    expect(complete.output.title).toBe("Invalid configuration");
    expect(complete.output.summary).toContain(
      `The configuration \`.github/migration-warden.yml@master\` on the base branch (commit \`${baseSha.slice(0, 7)}\`) is invalid`,
    );
    expect(complete.output.summary).toContain("- approval.count: expected a positive integer");
    expect(complete.output.annotations).toBeUndefined();
    expect(run().head_sha).toBe(headSha);
  });

  test("a directory where the config file should be is an invalid configuration", async () => {
    const { repo, number } = helloWorld(
      h.fake,
      { ".github/migration-warden.yml/oops": "x\n" },
      { "migrations/0001_a.up.sql": "SELECT 1;\n" },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(run().conclusion).toBe("failure");
    expect(run().output.summary).toContain(
      "- expected a YAML file, found a directory or submodule",
    );
  });
});

describe("fork pull requests", () => {
  test("read everything by sha from the base repository, never from the fork", async () => {
    const base = h.fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
    const fork = h.fake.createRepo("forker", "Hello-World", { fork: true });
    const baseSha = base.commit({ branch: "master", files: mergedMigrations(2) });
    const headSha = fork.commit({
      branch: "patch-1",
      parent: baseSha,
      files: { "migrations/0001_t1.down.sql": "SELECT 1;\n" },
    });
    const number = base.openPullRequest({
      number: 2,
      base: "master",
      head: headSha,
      headRepo: fork,
      headRef: "patch-1",
    });
    await h.receive("pull_request", pullRequestEvent("opened", base, number));

    expect(h.calls().filter((c) => /forker|patch-1/.test(c))).toEqual([]);
    // The fork's head commit by id and its blob by path at that commit, from the base repository.
    const { variables } = h.fake.requests.filter(
      (r) => r.path === "/graphql" && !/^\s*mutation\b/.test((r.body as { query: string }).query),
    )[1]!.body as {
      variables: Record<string, string>;
    };
    expect(variables).toMatchObject({
      name: "Hello-World",
      c1: headSha,
      f0: `${headSha}:migrations/0001_t1.down.sql`,
    });
    // Nothing by REST: the base's root tree (it confirms there is no configuration file) came,
    // verified, with the first query (first-read/base-root.ts).
    expect(h.calls().filter((c) => c.includes("/git/"))).toEqual([]);
    expect(run().repo).toBe(base);
    expect(run().head_sha).toBe(headSha);
    expect(run().conclusion).toBe("failure");
    expect(run().annotations.map((a) => a.title)).toEqual(["modified-merged-migration"]);
  });
});

describe("annotations beyond 50", () => {
  test("go in batches of 50 to the same run, which completes with the last batch", async () => {
    // 120 new up files without down files: 120 missing-down-migration warnings.
    const change: Record<string, string> = {};
    for (let i = 1; i <= 120; i++) {
      change[`migrations/${String(i).padStart(4, "0")}_m${i}.up.sql`] =
        `CREATE TABLE m${i} (id int);\n`;
    }
    // The directory exists on the base (a missing one is reported too). No sandbox replay: the
    // batches are the subject, and replaying 120 files costs 15 CPU-seconds (a timeout under load).
    const { repo, number } = helloWorld(
      h.fake,
      { "migrations/.gitkeep": "", ".github/migration-warden.yml": "replay:\n  enabled: false\n" },
      change,
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    const updates = h.checkRunBodies(LINT).slice(1);
    expect(updates.map((u) => u.path)).toEqual(
      Array(3).fill("/repos/Codertocat/Hello-World/check-runs/9000"),
    );
    const annotationsOf = (b: Record<string, unknown>) =>
      (b.output as { annotations: Array<{ path: string }> }).annotations;
    expect(updates.map((u) => annotationsOf(u.body).length)).toEqual([50, 50, 20]);
    expect(updates.map((u) => [u.body.status, u.body.conclusion])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
      ["completed", "neutral"],
    ]);
    const paths = updates.flatMap((u) => annotationsOf(u.body).map((a) => a.path));
    expect(new Set(paths).size).toBe(120);
    expect(run().annotations).toHaveLength(120);
    expect(run().history.map((x) => x.status)).toEqual([
      "in_progress",
      "in_progress",
      "in_progress",
      "completed",
    ]);
    expect(run().output.title).toBe("0 errors, 120 warnings, 0 notices");
  });
});

describe("duplicate delivery", () => {
  test("writes a fresh, complete run each time and never duplicates annotations", async () => {
    const { repo, number } = helloWorld(h.fake, mergedMigrations(2), {
      "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id int);\n",
      "migrations/0002_t2.down.sql": null,
    });
    const payload = pullRequestEvent("opened", repo, number);
    await h.receive("pull_request", payload, "same-delivery");
    await h.receive("pull_request", payload, "same-delivery");

    expect(h.runs(LINT).map((r) => [r.id, r.status, r.conclusion, r.annotations.length])).toEqual([
      [9000, "completed", "failure", 2],
      [9002, "completed", "failure", 2],
    ]);
    expect(run(2).annotations).toEqual(run(0).annotations);
    const [c1, u1, c2, u2] = h.checkRunBodies(LINT);
    // Apart from the markers (the create's own, and when the evaluation started), the same.
    const unmarked = (b: Record<string, unknown>) =>
      JSON.stringify(b)
        .replace(MARKER, "")
        .replace(/started=\d+/, "started=");
    expect(unmarked(c2!.body)).toEqual(unmarked(c1!.body));
    expect(MARKER.exec(JSON.stringify(c2!.body))![0]).not.toBe(
      MARKER.exec(JSON.stringify(c1!.body))![0],
    );
    expect(unmarked(u2!.body)).toEqual(unmarked(u1!.body));
  });
});
