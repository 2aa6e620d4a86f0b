/**
 * The head's parts of the first query through the app, against the fake GitHub, as an attacker
 * would try them: a merged migration renamed out of its directory (GraphQL shows no old path), a
 * migration at file 150 of a pull request (past GraphQL's first page), a second pull request on
 * the same head listed only past the first page, a fork's pull request on the same commit, a type
 * change, the change's own configuration adding a directory (its blob id is not in the list), the
 * head moving right after the answer. Whatever falls back sends the REST read and decides as the
 * REST read alone does (the same scenario with that part of the query failing).
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import {
  harnessInTurn,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  readByRest,
  newestChecks,
} from "./harness.js";

const harness = harnessInTurn();

type Part = "files" | "associatedPullRequests";

const FILES = /^GET \/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files/;
const HEAD_PULLS = /^GET \/repos\/[^/]+\/[^/]+\/commits\/[0-9a-f]{40}\/pulls/;

const CONFIG = (dirs: string[], approval = "") =>
  `directories:\n${dirs.map((d) => `  - path: ${d}\n    dialect: postgres\n`).join("")}replay:\n  enabled: false\n${approval}`;

interface Outcome {
  calls: string[];
  /** Each check's newest run: what a reviewer sees. */
  checks: Array<Record<string, unknown>>;
}

/** One fresh fake GitHub and app; `build` makes the repository and names the event's pull request. */
async function scenario(
  build: (fake: FakeGitHub) => { repo: FakeRepo; number: number },
  rest?: Part,
): Promise<Outcome> {
  const h = await harness({ app: { replay: false } });
  const { repo, number } = build(h.fake);
  if (rest) readByRest(h.fake, rest);
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const checks = newestChecks(h);
  return { calls: h.calls(), checks };
}

const sent = (o: Outcome, what: RegExp) => o.calls.filter((c) => what.test(c));

/** The scenario through the query, and through REST for `part`: the same checks. */
async function sameAsRest(
  build: (fake: FakeGitHub) => { repo: FakeRepo; number: number },
  part: Part,
): Promise<Outcome> {
  const viaQuery = await scenario(build, undefined);
  const viaRest = await scenario(build, part);
  expect(sent(viaRest, part === "files" ? FILES : HEAD_PULLS).length).toBeGreaterThan(0);
  expect(viaQuery.checks).toEqual(viaRest.checks);
  return viaQuery;
}

describe("the changed files", () => {
  test("a plain change: no REST file list, and the same checks as with it", async () => {
    const o = await sameAsRest(
      (fake) =>
        helloWorld(fake, mergedMigrations(2), {
          // Not the deleted file's text: GitHub would list the pair as a rename.
          "migrations/0003_drop.up.sql": "DROP TABLE t1, t2;\n",
          "migrations/0003_drop.down.sql": "SELECT 1;\n",
          "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY, x int);\n",
          "migrations/0001_t1.down.sql": null,
        }),
      "files",
    );
    expect(sent(o, FILES)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("failure");
    expect((o.checks[0]!.annotations as string[][]).map((a) => a[1])).toEqual(
      expect.arrayContaining([
        "deleted-merged-migration",
        "modified-merged-migration",
        "drop-table",
      ]),
    );
  });

  test("a merged migration renamed out of its directory: the REST list names its old path", async () => {
    const merged = mergedMigrations(2);
    const o = await sameAsRest(
      (fake) =>
        helloWorld(fake, merged, {
          "migrations/0002_t2.up.sql": null,
          "archive/0002_t2.up.sql": merged["migrations/0002_t2.up.sql"]!,
        }),
      "files",
    );
    expect(sent(o, FILES)).toHaveLength(1);
    expect(o.checks[0]!.conclusion).toBe("failure");
    expect(JSON.stringify(o.checks[0])).toContain("migrations/0002_t2.up.sql");
    expect(o.checks[1]!.conclusion).not.toBe("success");
  });

  test("a migration at file 150: past the query's first page, the REST list (two pages) has it", async () => {
    const change: Record<string, string> = {};
    for (let i = 0; i < 149; i++) change[`docs/page-${String(i).padStart(3, "0")}.md`] = `${i}\n`;
    change["migrations/0002_drop.up.sql"] = "DROP TABLE t1;\n";
    change["migrations/0002_drop.down.sql"] = "SELECT 1;\n";
    const o = await sameAsRest((fake) => helloWorld(fake, mergedMigrations(1), change), "files");
    expect(sent(o, FILES)).toHaveLength(2);
    expect(o.checks[0]!.conclusion).toBe("failure");
    expect(o.checks[0]!.annotations).toContainEqual([
      "migrations/0002_drop.up.sql",
      "drop-table",
      1,
    ]);
  });

  test("a merged migration turned into a symlink (a type change): the REST list decides", async () => {
    const o = await sameAsRest(
      (fake) =>
        helloWorld(fake, mergedMigrations(2), {
          "migrations/0002_t2.up.sql": { symlink: "../elsewhere.sql" },
        }),
      "files",
    );
    expect(sent(o, FILES)).toHaveLength(1);
    expect(o.checks[0]!.conclusion).toBe("failure");
  });

  test("the change's own configuration adding a directory: still refused, its blob found by path", async () => {
    const o = await sameAsRest((fake) => {
      const repo = fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
      const base = repo.commit({
        branch: "master",
        files: { ".github/migration-warden.yml": CONFIG(["migrations"]), ...mergedMigrations(1) },
      });
      const head = repo.commit({
        parent: base,
        files: {
          ".github/migration-warden.yml": CONFIG(["migrations", "db/new"]),
          "db/new/0001_x.up.sql": "DROP TABLE t1;\n",
        },
      });
      return { repo, number: repo.openPullRequest({ number: 2, base: "master", head }) };
    }, "files");
    expect(sent(o, FILES)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("failure");
    expect(JSON.stringify(o.checks[0])).toContain(
      "db/new/0001_x.up.sql is in db/new, which this change adds to .github/migration-warden.yml",
    );
  });

  test("the head moving right after the answer: the check is of the head the answer named", async () => {
    const h = await harness({ app: { replay: false } });
    const { repo, number, headSha } = helloWorld(h.fake, mergedMigrations(1), {
      "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\n",
      "migrations/0002_t2.down.sql": "DROP TABLE t2;\n",
    });
    let moved = "";
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      afterAnswer: () => {
        moved = repo.commit({
          parent: headSha,
          files: { "migrations/0003_drop.up.sql": "DROP TABLE t1;\n" },
        });
        repo.pushToPullRequest(number, moved);
      },
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    // The file list and the head came in one answer: the old head's, checked as it is.
    const first = h.runs(LINT).at(-1)!;
    expect(first.head_sha).toBe(headSha);
    expect(first.conclusion).not.toBe("failure");
    expect(first.annotations.map((a) => a.path)).not.toContain("migrations/0003_drop.up.sql");
    expect(h.calls().filter((c) => FILES.test(c))).toEqual([]);
    // The push's own event checks the new head.
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    const second = h.runs(LINT).at(-1)!;
    expect([second.head_sha, second.conclusion]).toEqual([moved, "failure"]);
    expect(second.annotations.map((a) => [a.path, a.title])).toContainEqual([
      "migrations/0003_drop.up.sql",
      "drop-table",
    ]);
  });
});

describe("the other pull requests of the head", () => {
  const NEW = {
    "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\n",
    "migrations/0002_t2.down.sql": "DROP TABLE t2;\n",
  };

  /** Hello-World, PR #2 adding a migration; `more` adds pull requests on its head. */
  function withHead(more: (repo: FakeRepo, head: string, fake: FakeGitHub) => void) {
    return (fake: FakeGitHub) => {
      const made = helloWorld(fake, mergedMigrations(1), NEW);
      made.repo.commit({ branch: "release", parent: made.baseSha, files: { "r.md": "r\n" } });
      more(made.repo, made.headSha, fake);
      return made;
    };
  }

  test("another open pull request on the head: in the group, without the REST lookup", async () => {
    const o = await sameAsRest(
      withHead((repo, head) => repo.openPullRequest({ number: 3, base: "release", head })),
      "associatedPullRequests",
    );
    expect(sent(o, HEAD_PULLS)).toEqual([]);
    expect(o.checks[1]!.external_id).toMatch(/^mw-approval\/2;pr=2,3;/);
  });

  test("a second pull request listed only past the first page: the REST lookup finds it", async () => {
    const o = await sameAsRest(
      withHead((repo, head) => {
        // A hundred closed pull requests of the same head come first (oldest first).
        for (let n = 10; n < 110; n++) {
          repo.openPullRequest({ number: n, base: "release", head });
          repo.closePullRequest(n);
        }
        repo.openPullRequest({ number: 200, base: "release", head });
      }),
      "associatedPullRequests",
    );
    expect(sent(o, HEAD_PULLS)).toHaveLength(2);
    expect(o.checks[1]!.external_id).toMatch(/^mw-approval\/2;pr=2,200;/);
  });

  test("a fork's pull request on the same commit is another repository's: not in the group", async () => {
    const o = await sameAsRest(
      withHead((repo, head, fake) => {
        const fork = fake.createRepo("forker", "Hello-World", { fork: true });
        fork.branches.set("main", repo.branches.get("master")!);
        // Based in the fork, its head in this repository: GitHub lists it for this commit.
        fork.openPullRequest({ number: 3, base: "main", head, headRepo: repo });
      }),
      "associatedPullRequests",
    );
    expect(sent(o, HEAD_PULLS)).toEqual([]);
    expect(o.checks[1]!.external_id).toMatch(/^mw-approval\/2;pr=2;/);
    expect(o.calls.filter((c) => c.includes("forker"))).toEqual([]);
  });

  test("a stacked pull request (the head is in it, not its head) and a closed one: not in the group", async () => {
    const o = await sameAsRest(
      withHead((repo, head) => {
        const later = repo.commit({ parent: head, files: { "x.md": "x\n" } });
        repo.openPullRequest({ number: 3, base: "release", head: later });
        repo.openPullRequest({ number: 4, base: "release", head });
        repo.closePullRequest(4);
      }),
      "associatedPullRequests",
    );
    expect(sent(o, HEAD_PULLS)).toEqual([]);
    expect(o.checks[1]!.external_id).toMatch(/^mw-approval\/2;pr=2;/);
  });

  test("a head already on the default branch: the open pull requests are listed, as by REST", async () => {
    const o = await sameAsRest((fake) => {
      const repo = fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
      const base = repo.commit({ branch: "release", files: mergedMigrations(1) });
      // master is ahead of release with a migration; its tip is proposed to release twice.
      const tip = repo.commit({ branch: "master", parent: base, files: NEW });
      repo.commit({ branch: "release-2", parent: base, files: { "r.md": "r\n" } });
      const number = repo.openPullRequest({ number: 2, base: "release", head: tip });
      repo.openPullRequest({ number: 3, base: "release-2", head: tip });
      return { repo, number };
    }, "associatedPullRequests");
    expect(sent(o, HEAD_PULLS)).toEqual([]);
    // GitHub lists only merged pull requests for a commit on the default branch, by REST and
    // GraphQL alike: the lookup misses #3, and the listing of open pull requests (open-pulls.ts)
    // finds it either way.
    expect(o.checks[1]!.external_id).toMatch(/^mw-approval\/2;pr=2,3;/);
  });
});
