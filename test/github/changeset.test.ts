/** The ChangeSet the app builds from the API: what it reads, what it does not, what it cannot see. */
import { afterEach, describe, expect, test } from "@jest/globals";
import type { FileSpec } from "../support/fake-github.mjs";
import {
  APPROVAL,
  createHarness,
  helloWorld,
  mergedMigrations,
  pullRequestEvent,
  finish,
  LINT,
  type Harness,
} from "./harness.js";

let current: Harness | undefined;
afterEach(() => {
  finish(current);
  current = undefined;
});

async function harness(options?: Parameters<typeof createHarness>[0]): Promise<Harness> {
  current = await createHarness(options);
  return current;
}

function run(h: Harness) {
  const r = h.fake.checkRuns[0];
  if (!r) throw new Error("no check run");
  return r;
}

describe("API requests per event", () => {
  /** A PR that edits `edited` merged migrations and adds one new pair, on `merged` merged pairs. */
  async function requestsFor(merged: number, edited: number): Promise<string[]> {
    // The sandbox replay reads merged migrations once per base (then cached): test/replay/app.test.ts.
    const h = await harness({ app: { replay: false } });
    const change: Record<string, string> = {
      [`migrations/9000_new.up.sql`]: "CREATE TABLE n (id int);\n",
      [`migrations/9000_new.down.sql`]: "DROP TABLE n;\n",
    };
    for (let i = 1; i <= edited; i++) {
      change[`migrations/${String(i).padStart(4, "0")}_t${i}.up.sql`] =
        `CREATE TABLE t${i} (id int);\n`;
    }
    const { repo, number } = helloWorld(h.fake, mergedMigrations(merged), change);
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(run(h).status).toBe("completed");
    return h.calls().map((c) => c.replace(/[0-9a-f]{40}/g, "<sha>"));
  }

  test("do not grow with the number of merged migrations", async () => {
    const small = await requestsFor(10, 1);
    finish(current);
    const large = await requestsFor(1000, 1);
    expect(large).toEqual(small);
    // token, one GraphQL request for the PR, its changed files, the other pull requests of its
    // head, its base config (absent: the base's root tree, verified in the same answer, confirms
    // it: first-read/base-root.ts) and its approval facts
    // (issue events, reviews, commits and the commits' approval runs), both runs started in one
    // mutation, branch (protection; the tip the query saw), one GraphQL request for the base and
    // head trees, the 3 distinct blobs and the edited merged file's base blob (its findings are
    // limited to the edited lines); approval: the base branch's rulesets (is the gate
    // enforced?); both runs completed in one mutation (the head digest reuses the head trees).
    expect(large).toHaveLength(7);
    expect(large.filter((c) => c === "POST /graphql")).toHaveLength(4);
  });

  test("grow only with the files the pull request changes", async () => {
    // In the size of the one GraphQL request (test/github/git-gather.test.ts), not in requests.
    const ten = await requestsFor(1000, 10);
    const { variables } = current!.fake.requests.find(
      (r) => r.path === "/graphql" && /MigrationWardenGather\b/.test(JSON.stringify(r.body)),
    )!.body as {
      variables: Record<string, string>;
    };
    // The 12 head blobs by path (the first query's file list has no blob ids), the 10 edited
    // files' base blobs by path.
    const head = current!.fake.repo("Codertocat", "Hello-World").pull(2).headSha;
    const paths = Object.entries(variables).filter(([k]) => /^f\d+$/.test(k));
    expect(Object.keys(variables).filter((k) => /^b\d+$/.test(k))).toHaveLength(0);
    expect(paths.filter(([, v]) => v.startsWith(`${head}:`))).toHaveLength(12);
    expect(paths.filter(([, v]) => !v.startsWith(`${head}:`))).toHaveLength(10);
    // No git object by REST: the base's root tree, confirming there is no configuration file,
    // came verified with the first query (first-read/base-root.ts).
    expect(ten.filter((c) => c.includes("/git/"))).toHaveLength(0);
    finish(current);
    expect(await requestsFor(1000, 1)).toEqual(ten);
  });
});

describe("what the app reads", () => {
  test("nested migration directories: every path segment in one request, shared prefixes once", async () => {
    const h = await harness({ app: { replay: false } });
    const config =
      "directories:\n  - path: services/api/db/migrations\n    dialect: postgres\n  - path: services/api/db/seeds\n    dialect: postgres\n";
    const { repo, number } = helloWorld(
      h.fake,
      {
        ".github/migration-warden.yml": config,
        ...mergedMigrations(2, "services/api/db/migrations"),
        ...mergedMigrations(1, "services/api/db/seeds"),
      },
      { "services/api/db/seeds/0002_s.up.sql": "INSERT INTO t1 (a) VALUES (1);\n" },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    // No tree by REST: one GraphQL request lists every path segment at the base and the head
    // (shared prefixes asked once), each listing verified against its tree id.
    expect(h.calls().filter((c) => c.includes("/git/trees/"))).toEqual([]);
    const gathers = h.fake.requests.filter(
      (r) =>
        r.path === "/graphql" &&
        /MigrationWardenGather\b/.test(String((r.body as { query?: string }).query)),
    );
    expect(gathers).toHaveLength(1);
    const { variables } = gathers[0]!.body as { variables: Record<string, string> };
    const paths = ["", "services", "services/api", "services/api/db"];
    const dirs = [...paths, "services/api/db/migrations", "services/api/db/seeds", ".github"];
    expect(
      Object.entries(variables)
        .filter(([k]) => /^t\d+$/.test(k))
        .map(([, v]) => v.replace(/^[0-9a-f]{40}:/, ""))
        .sort(),
    ).toEqual([...dirs, ...dirs].sort());
    expect(run(h).annotations.map((a) => [a.path, a.title])).toEqual([
      ["services/api/db/seeds/0002_s.up.sql", "missing-down-migration"],
    ]);
  });

  test("symlinks and submodules in a migration directory are typed from the head tree, never read as SQL", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(h.fake, mergedMigrations(1), {
      "migrations/0002_link.up.sql": { symlink: "../outside.sql" },
      "migrations/0002_link.down.sql": "SELECT 1;\n",
      "migrations/0003_sub.up.sql": { submodule: "c".repeat(40) },
      "migrations/0003_sub.down.sql": "SELECT 2;\n",
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    // Nothing is downloaded by REST: the blobs came with the one GraphQL request.
    expect(h.calls().filter((c) => c.includes("/git/blobs/"))).toEqual([]);
    expect(run(h).annotations.map((a) => [a.path, a.title, a.annotation_level])).toEqual([
      ["migrations/0002_link.up.sql", "unanalyzable-migration-file", "failure"],
      ["migrations/0003_sub.up.sql", "unanalyzable-migration-file", "warning"],
    ]);
  });

  test("a file over limits.maxFileBytes is reported from its size without downloading it", async () => {
    const h = await harness();
    const big = `-- ${"x".repeat(2000)}\nSELECT 1;\n`;
    const { repo, number } = helloWorld(
      h.fake,
      {
        ".github/migration-warden.yml": "limits:\n  maxFileBytes: 1024\n",
        "migrations/.gitkeep": "",
      },
      { "migrations/0001_big.up.sql": big, "migrations/0001_big.down.sql": "SELECT 1;\n" },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    // Texts come with the one GraphQL request (GitHub cuts them at 512,000 bytes); nothing over
    // the limit is read by REST.
    expect(h.calls().filter((c) => c.includes("/git/blobs/"))).toEqual([]);
    expect(run(h).annotations).toEqual([
      expect.objectContaining({
        path: "migrations/0001_big.up.sql",
        title: "unanalyzable-migration-file",
        message: expect.stringContaining(
          `is ${Buffer.byteLength(big)} bytes, over the 1024-byte limit`,
        ),
      }),
    ]);
  });

  test("renames and deletions of merged migrations are reported without reading their contents", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(h.fake, mergedMigrations(2), {
      "migrations/0001_t1.down.sql": null,
      "migrations/0002_t2.up.sql": null,
      "migrations/0002_renamed.up.sql": mergedMigrations(2)["migrations/0002_t2.up.sql"]!,
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(run(h).annotations.map((a) => [a.path, a.title])).toEqual([
      ["migrations/0001_t1.down.sql", "deleted-merged-migration"],
      ["migrations/0002_renamed.up.sql", "renamed-merged-migration"],
    ]);
    expect(run(h).conclusion).toBe("failure");
  });
});

describe("what the app cannot see fails closed", () => {
  test("a pull request at GitHub's 3,000-file listing cap", async () => {
    const h = await harness();
    const change: Record<string, string> = { "migrations/0002_x.up.sql": "SELECT 1;\n" };
    for (let i = 0; i < 3000; i++) change[`docs/page-${i}.md`] = `${i}\n`;
    const { repo, number } = helloWorld(h.fake, mergedMigrations(1), change);
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    expect(h.calls().filter((c) => c.includes("/pulls/2/files"))).toHaveLength(30);
    expect(run(h).conclusion).toBe("failure");
    expect(run(h).output.title).toMatch(/^Incomplete analysis: /);
    expect(run(h).output.summary).toContain(
      "the pull request changes 3001 files and GitHub lists at most 3000",
    );
  });

  test("a truncated tree listing", async () => {
    // Tree listings stop at 10 entries here, like GitHub's at 100,000.
    const h = await harness({ fake: { treeEntryLimit: 10 } });
    const { repo, number } = helloWorld(h.fake, mergedMigrations(6), {
      "migrations/0007_x.up.sql": "SELECT 1;\n",
      "migrations/0007_x.down.sql": "SELECT 2;\n",
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(run(h).conclusion).toBe("failure");
    expect(run(h).output.summary).toContain("GitHub truncated the listing of migrations at master");
  });
});

describe("the migration directory itself changes type (issue 11.1)", () => {
  const CONFIG =
    "directories:\n  - path: db/migrations\n    dialect: postgres\nreplay:\n  enabled: false\n";
  /** Lint and approval: conclusion and title of each, in that order. */
  const checks = (h: Harness) =>
    h.fake.checkRuns.map((r) => [r.name, r.conclusion, r.output.title]);

  test.each<[string, Record<string, string>, Record<string, FileSpec>, string]>([
    [
      "a symlink to a directory the pull request fills (config names a directory the base lacks)",
      {},
      {
        "sql/000001_init.up.sql": "DROP TABLE users;\n",
        "sql/000001_init.down.sql": "SELECT 1;\n",
        "db/migrations": { symlink: "../sql" },
      },
      "db/migrations is a symbolic link at the head of this change",
    ],
    [
      "a symlink replacing the merged directory",
      mergedMigrations(1, "db/migrations"),
      {
        "db/migrations/0001_t1.up.sql": null,
        "db/migrations/0001_t1.down.sql": null,
        "sql/0001_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
        "sql/0002_drop.up.sql": "DROP TABLE t1;\n",
        "db/migrations": { symlink: "../sql" },
      },
      "db/migrations is a symbolic link at the head of this change",
    ],
    [
      "a submodule at the directory's path",
      {},
      { "db/migrations": { submodule: "c".repeat(40) } },
      "db/migrations is a git submodule at the head of this change",
    ],
    [
      "a file replacing the directory itself",
      mergedMigrations(1, "db/migrations"),
      {
        "db/migrations/0001_t1.up.sql": null,
        "db/migrations/0001_t1.down.sql": null,
        "db/migrations": "not a directory\n",
      },
      "db/migrations is a file at the head of this change",
    ],
    [
      "a file replacing an ancestor",
      mergedMigrations(1, "db/migrations"),
      {
        "db/migrations/0001_t1.up.sql": null,
        "db/migrations/0001_t1.down.sql": null,
        db: "not a directory\n",
      },
      "db (an ancestor of db/migrations) is a file at the head of this change",
    ],
    [
      "a symlinked ancestor",
      {},
      { "vendor/db/migrations/0001_x.up.sql": "DROP TABLE users;\n", db: { symlink: "vendor/db" } },
      "db (an ancestor of db/migrations) is a symbolic link at the head of this change",
    ],
  ])(
    "%s: lint fails and approval cannot pass, even approved",
    async (_what, base, change, message) => {
      const h = await harness();
      const { repo, number } = helloWorld(
        h.fake,
        { ".github/migration-warden.yml": CONFIG, ...base },
        change,
      );
      repo.setRole("dba", "admin");
      repo.review(number, { user: "dba", state: "APPROVED" });
      await h.receive("pull_request", pullRequestEvent("opened", repo, number));

      expect(checks(h)).toEqual([
        [LINT, "failure", expect.stringMatching(/^Incomplete analysis: \d+ errors?/)],
        [APPROVAL, "failure", "Analysis incomplete: approval cannot pass"],
      ]);
      const lint = h.fake.checkRuns[0]!;
      expect(lint.annotations).toContainEqual(
        expect.objectContaining({
          title: "migration-directory-not-a-directory",
          annotation_level: "failure",
          message: expect.stringContaining(message),
        }),
      );
      // Nothing of a link or a submodule is ever read as SQL.
      expect(h.calls().filter((c) => c.includes("/git/blobs/"))).toEqual([]);
    },
  );

  test("a submodule pointer bump is a migration change", async () => {
    const h = await harness();
    const repo = h.fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
    const baseSha = repo.commit({
      branch: "master",
      files: {
        ".github/migration-warden.yml": CONFIG,
        "db/migrations": { submodule: "a".repeat(40) },
      },
    });
    const head = repo.commit({
      parent: baseSha,
      files: { "db/migrations": { submodule: "b".repeat(40) } },
    });
    const number = repo.openPullRequest({ number: 2, base: "master", head });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(checks(h)).toEqual([
      [LINT, "failure", expect.stringMatching(/^Incomplete analysis/)],
      [APPROVAL, "failure", "Analysis incomplete: approval cannot pass"],
    ]);
    expect(h.fake.checkRuns[0]!.output.summary).toContain(
      "db/migrations is a git submodule at the head of this change",
    );
  });

  test("a symlink already on the base fails even a pull request that touches no migration", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(
      h.fake,
      { ".github/migration-warden.yml": CONFIG, "db/migrations": { symlink: "../sql" } as never },
      { "src/app.go": "package main\n" },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(checks(h)).toEqual([
      [LINT, "failure", expect.stringMatching(/^Incomplete analysis/)],
      [APPROVAL, "failure", "Analysis incomplete: approval cannot pass"],
    ]);
    expect(h.fake.checkRuns[0]!.output.summary).toContain("is a symbolic link on the base branch");
  });

  test("a configured directory missing on the base is a visible warning, never a silent pass", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(
      h.fake,
      { ".github/migration-warden.yml": CONFIG.replace("db/migrations", "db/migration") },
      { "db/migrations/0001_x.up.sql": "DROP TABLE users;\n" },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(checks(h)).toEqual([
      [LINT, "neutral", "0 errors, 1 warning, 0 notices"],
      [APPROVAL, "success", "No migration changed"],
    ]);
    expect(h.fake.checkRuns[0]!.annotations).toEqual([
      expect.objectContaining({
        path: "db/migration",
        annotation_level: "warning",
        message: expect.stringContaining(
          "The configured migration directory db/migration does not exist on the base branch (nor after this change), so nothing is checked there",
        ),
      }),
    ]);
  });

  test("another letter case of the directory is a migration change: approval is required", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(
      h.fake,
      { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1, "db/migrations") },
      { "db/Migrations/0002_x.up.sql": "DROP TABLE t1;\n" },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(h.fake.checkRuns.map((r) => [r.name, r.conclusion])).toEqual([
      [LINT, "neutral"],
      [APPROVAL, "action_required"],
    ]);
    expect(h.fake.checkRuns[0]!.annotations.map((a) => a.message.split("\n")[0])).toEqual([
      "db/Migrations/0002_x.up.sql is not in db/migrations but in another spelling of it: a case-insensitive checkout (macOS, Windows) merges the two and golang-migrate runs this file there, while elsewhere it never runs. It is not analysed as a migration of db/migrations.",
    ]);
  });
});
