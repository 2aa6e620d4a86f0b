/** Which events review which pull request, always at its current head. */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  example,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "./harness.js";

let h: Harness;
useHarness((created) => (h = created));

function editedMergedMigration() {
  return helloWorld(h.fake, mergedMigrations(2), {
    "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id int);\n",
  });
}

/** The pull requests the app read (their query, pull-request-query.ts), by number. */
const pullsRead = (h: Harness) =>
  h.fake.requests
    .filter((r) => /MigrationWardenPullRequest\b/.test(JSON.stringify(r.body ?? "")))
    .map((r) => (r.body as { variables: { number: number } }).variables.number);

describe("pull_request", () => {
  test.each(["opened", "synchronize", "reopened", "ready_for_review"])(
    "%s reviews the pull request",
    async (action) => {
      const { repo, headSha, number } = editedMergedMigration();
      await h.receive("pull_request", pullRequestEvent(action, repo, number));
      expect(h.fake.checkRuns.map((r) => [r.name, r.head_sha, r.conclusion])).toEqual([
        [LINT, headSha, "failure"],
        [APPROVAL, headSha, "action_required"],
      ]);
    },
  );

  test("edited without a base change (title, body) sends no request at all", async () => {
    const { repo, number } = editedMergedMigration();
    const payload = pullRequestEvent("edited", repo, number);
    payload.changes = { title: { from: "Old title" } };
    await h.receive("pull_request", payload);
    expect(h.calls()).toEqual([]);
  });

  test("edited with a new base reviews against that base's config and tree", async () => {
    const { repo, number } = editedMergedMigration();
    const payload = pullRequestEvent("edited", repo, number);
    payload.changes = { base: { ref: { from: "develop" }, sha: { from: "0".repeat(40) } } };
    await h.receive("pull_request", payload);
    expect(h.fake.checkRuns.map((r) => r.name)).toEqual([LINT, APPROVAL]);
    expect(h.calls()).toContain("GET /repos/Codertocat/Hello-World/branches/master");
  });

  test("a late event for an older commit reviews the current head, not the old one", async () => {
    const { repo, headSha: oldHead, number } = editedMergedMigration();
    const late = pullRequestEvent("synchronize", repo, number);
    // A newer push reverts the risky edit before the old event is handled.
    const newHead = repo.commit({
      parent: oldHead,
      files: { "migrations/0002_t2.up.sql": mergedMigrations(2)["migrations/0002_t2.up.sql"]! },
    });
    repo.pushToPullRequest(number, newHead);
    expect(late.pull_request.head.sha).toBe(oldHead);

    await h.receive("pull_request", late);
    expect(h.fake.checkRuns.map((r) => [r.head_sha, r.conclusion, r.output.title])).toEqual([
      [newHead, "success", "No migration changes"],
      [newHead, "success", "No migration changed"],
    ]);
  });

  test("a closed pull request gets no check run", async () => {
    const { repo, number } = editedMergedMigration();
    const payload = pullRequestEvent("reopened", repo, number);
    repo.closePullRequest(number);
    await h.receive("pull_request", payload);
    expect(h.calls().slice(1)).toEqual(["POST /graphql"]);
    expect(h.fake.checkRuns).toEqual([]);
  });
});

/** A fork PR (check_run.pull_requests and check_suite.pull_requests are empty for forks). */
function forkPullRequest(): { base: FakeRepo; headSha: string; number: number } {
  const base = h.fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
  const fork = h.fake.createRepo("forker", "Hello-World", { fork: true });
  const baseSha = base.commit({ branch: "master", files: mergedMigrations(1) });
  const headSha = fork.commit({
    branch: "patch-1",
    parent: baseSha,
    files: { "migrations/0001_t1.up.sql": "SELECT 1;\n" },
  });
  const number = base.openPullRequest({ number: 7, base: "master", head: headSha, headRepo: fork });
  return { base, headSha, number };
}

function checkRunEvent(repo: FakeRepo, run: Record<string, unknown>) {
  const payload = example("check_run", "rerequested");
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  payload.check_run = { ...payload.check_run, ...run };
  return payload;
}

describe("check_run.rerequested", () => {
  test("finds a fork PR through the lint run's external_id and writes a fresh lint run only", async () => {
    const { base, headSha, number } = forkPullRequest();
    await h.receive("pull_request", pullRequestEvent("opened", base, number));
    const first = h.fake.checkRuns[0]!;
    expect(first.external_id).toBe("Codertocat/Hello-World#7");
    h.fake.requests = [];

    await h.receive(
      "check_run",
      checkRunEvent(base, {
        id: first.id,
        name: first.name,
        head_sha: first.head_sha,
        external_id: first.external_id,
        pull_requests: [],
      }),
    );
    expect(h.calls()[0]).toBe("POST /graphql");
    expect(pullsRead(h)).toEqual([7]);
    expect(
      h.fake.checkRuns.map((r) => [r.id, r.name, r.head_sha, r.conclusion, r.annotations.length]),
    ).toEqual([
      [9000, LINT, headSha, "failure", 1],
      [9001, APPROVAL, headSha, "action_required", 0],
      [9002, LINT, headSha, "failure", 1],
    ]);
    // Re-running lint does not read what only the approval needs.
    expect(h.calls().filter((c) => /reviews|check-runs\?|\/commits\?/.test(c))).toEqual([]);
  });

  test("finds a fork PR through the approval run's record and writes a fresh approval run only", async () => {
    const { base, headSha, number } = forkPullRequest();
    await h.receive("pull_request", pullRequestEvent("opened", base, number));
    const approval = h.runs(APPROVAL)[0]!;
    expect(approval.external_id).toMatch(
      /^mw-approval\/2;pr=7;digest=[0-9a-f]{64};base=[0-9a-f]{32}$/,
    );
    h.fake.requests = [];

    await h.receive(
      "check_run",
      checkRunEvent(base, { ...h.fake.runJSON(approval), pull_requests: [] }),
    );
    expect(h.calls()[0]).toBe("POST /graphql");
    expect(pullsRead(h)).toEqual([7]);
    expect(h.fake.checkRuns.map((r) => [r.id, r.name, r.head_sha, r.conclusion])).toEqual([
      [9000, LINT, headSha, "failure"],
      [9001, APPROVAL, headSha, "action_required"],
      [9002, APPROVAL, headSha, "action_required"],
    ]);
  });

  test("another app's check run is left alone", async () => {
    const { base } = forkPullRequest();
    await h.receive("check_run", checkRunEvent(base, { name: "randscape", external_id: "" }));
    expect(h.calls()).toEqual([]);
  });

  test("without an external_id, the commit's pull requests are looked up", async () => {
    const { base, headSha } = forkPullRequest();
    await h.receive(
      "check_run",
      checkRunEvent(base, { name: LINT, head_sha: headSha, external_id: "", pull_requests: [] }),
    );
    expect(h.calls().slice(1, 3)).toEqual([
      `GET /repos/Codertocat/Hello-World/commits/${headSha}/pulls`,
      "POST /graphql",
    ]);
    expect(pullsRead(h)).toEqual([7]);
    expect(h.fake.checkRuns).toHaveLength(1);
  });
});

describe("pull requests of other repositories", () => {
  test("are never looked up in this one", async () => {
    // The fork's commit is the head of a pull request into its parent, which GitHub lists for
    // the fork's commit too.
    const { headSha } = forkPullRequest();
    const fork = h.fake.repo("forker", "Hello-World");
    await h.receive(
      "check_run",
      checkRunEvent(fork, { name: LINT, head_sha: headSha, external_id: "", pull_requests: [] }),
    );
    expect(h.calls().slice(1)).toEqual([`GET /repos/forker/Hello-World/commits/${headSha}/pulls`]);
    expect(h.fake.checkRuns).toEqual([]);
  });
});

describe("check_suite.rerequested", () => {
  function suiteEvent(repo: FakeRepo, suite: Record<string, unknown>) {
    const payload = example("check_suite", "rerequested");
    payload.repository = { ...payload.repository, ...repo.toJSON() };
    payload.check_suite = { ...payload.check_suite, ...suite };
    // GitHub's example comes from another installation than the fake's.
    payload.installation = h.fake.installationPayload();
    return payload;
  }

  test("finds a fork PR through the suite's runs and reviews it again", async () => {
    const { base, headSha, number } = forkPullRequest();
    await h.receive("pull_request", pullRequestEvent("opened", base, number));
    const suiteId = h.fake.checkRuns[0]!.suiteId;
    h.fake.requests = [];

    await h.receive(
      "check_suite",
      suiteEvent(base, { id: suiteId, head_sha: headSha, pull_requests: [] }),
    );
    // The installation token is still cached from the first delivery.
    expect(h.calls().slice(0, 2)).toEqual([
      `GET /repos/Codertocat/Hello-World/check-suites/${suiteId}/check-runs?per_page=100`,
      "POST /graphql",
    ]);
    expect(pullsRead(h)).toEqual([7]);
    expect(h.fake.checkRuns.map((r) => [r.name, r.conclusion])).toEqual([
      [LINT, "failure"],
      [APPROVAL, "action_required"],
      [LINT, "failure"],
      [APPROVAL, "action_required"],
    ]);
  });

  test("a suite without runs of ours uses the payload's pull requests of this repository", async () => {
    const { repo, headSha, number } = editedMergedMigration();
    const here = { number, base: { repo: { id: repo.id } } };
    const elsewhere = { number: 99, base: { repo: { id: 1 } } };
    await h.receive(
      "check_suite",
      suiteEvent(repo, { id: 77, head_sha: headSha, pull_requests: [elsewhere, here] }),
    );
    expect(h.calls().slice(1, 3)).toEqual([
      "GET /repos/Codertocat/Hello-World/check-suites/77/check-runs?per_page=100",
      "POST /graphql",
    ]);
    expect(pullsRead(h)).toEqual([2]);
    expect(h.fake.checkRuns.map((r) => [r.name, r.head_sha])).toEqual([
      [LINT, headSha],
      [APPROVAL, headSha],
    ]);
  });
});
