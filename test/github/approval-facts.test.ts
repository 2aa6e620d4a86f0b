/**
 * The approval facts read in one GraphQL query (src/github/approval/pull-facts.ts), attacked:
 * connections past one page, a base change on the timeline's second page, a forged record in
 * another app's suite, GitHub answering errors beside partial data, a review on a commit outside
 * the pull request. Each must be read completely, or read by REST, or fail closed: never a pass.
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  APP_ID,
  approvalFactsOutOfFirstRead,
  approvalFactsReads,
  clickEvent,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "./harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
const NEW_MIGRATION = {
  "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY);\n",
  "migrations/0002_audit.down.sql": "DROP TABLE audit;\n",
};

interface Setup {
  repo: FakeRepo;
  baseSha: string;
  headSha: string;
  number: number;
}

/** PR #2 by "dev" adding a migration pair, after `commits - 1` commits touching src/ only. */
function setup(
  commits = 1,
  authorOf: (i: number) => string = () => "dev",
  name = "Hello-World",
): Setup {
  const repo = h.fake.createRepo(OWNER, name, { defaultBranch: "master" });
  const baseSha = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
  });
  let headSha = baseSha;
  for (let i = 1; i < commits; i++)
    headSha = repo.commit({
      parent: headSha,
      files: { "src/n.txt": `${i}\n` },
      author: authorOf(i),
    });
  headSha = repo.commit({ parent: headSha, files: NEW_MIGRATION, author: "dev" });
  const number = repo.openPullRequest({ number: 2, base: "master", head: headSha, user: "dev" });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  h.fake.setTeamMembership(OWNER, "dba", "pat", "pending");
  return { repo, baseSha, headSha, number };
}

async function evaluate(s: Setup): Promise<void> {
  h.fake.clearRequests();
  await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));
}

function gate(): [string | null, string | null] {
  const r = h.runs(APPROVAL).at(-1)!;
  return [r.conclusion, r.output.title];
}

/** The first query's page of the facts, then the facts query's pages. */
function factsQueries(): Array<Record<string, unknown>> {
  return approvalFactsReads(h.fake);
}

const REST_FACTS =
  /\/pulls\/2\/(reviews|commits)|\/issues\/2\/events|check-runs\?check_name=migration-warden%2Fapproval/;
/** The writer's listing of the app's runs on the head before passing (checks/write.ts). */
const BEFORE_PASSING = /check-runs\?app_id=/;

describe("every page of the approval facts", () => {
  test("a DBA who authored commit 120 of 130 may not approve (the commits' second page)", async () => {
    const s = setup(130, (i) => (i === 120 ? "alice" : "dev"));
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
    expect(h.runs(APPROVAL).at(-1)!.output.summary).toMatch(/alice/);
    // The first query's 8 commits, then pages of 100 after them.
    expect(factsQueries().map((v) => [v.commits, v.commitsAfter])).toEqual([
      [true, null],
      [true, "8"],
      [true, "108"],
    ]);
    // Read completely by GraphQL: no REST listing.
    expect(h.calls().filter((c) => REST_FACTS.test(c))).toEqual([]);
  });

  test("a base change on the timeline's second page voids the approval given before it", async () => {
    const s = setup();
    s.repo.commit({ branch: "develop", parent: s.baseSha, files: { "x.txt": "x\n" } });
    // 100 earlier base changes fill the timeline's first page: only its second page says the
    // base changed after the approval.
    for (let i = 0; i < 100; i++)
      s.repo.retarget(s.number, i % 2 === 0 ? "develop" : "master", {
        at: "2024-01-01T00:00:00Z",
      });
    s.repo.review(s.number, {
      user: "alice",
      state: "APPROVED",
      submittedAt: "2024-01-02T00:00:00Z",
    });
    await evaluate(s);
    expect(gate()[0]).toBe("success");
    s.repo.retarget(s.number, "develop", { at: "2024-01-03T00:00:00Z" });
    s.repo.commit({ branch: "develop", files: { ".github/migration-warden.yml": CONFIG } });
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
    expect(h.runs(APPROVAL).at(-1)!.output.summary).toContain(
      "given before the base branch changed (at 2024-01-03T00:00:00Z)",
    );
    expect(factsQueries().map((v) => [v.timeline, v.timelineAfter])).toContainEqual([true, "100"]);
  });

  test("an approval dismissed on the timeline's second page does not count", async () => {
    const s = setup();
    const approval = s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    for (let i = 0; i < 120; i++) {
      const id = s.repo.review(s.number, { user: `user${i}`, state: "COMMENTED" });
      s.repo.dismissReview(s.number, id);
    }
    await evaluate(s);
    expect(gate()).toEqual(["success", "Approved by @alice"]);
    s.repo.dismissReview(s.number, approval);
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
    expect(factsQueries().map((v) => [v.reviews, v.timeline, v.timelineAfter])).toEqual([
      [true, true, null],
      [true, true, "100"],
    ]);
  });

  test("more than 100 approval runs on a commit are read by REST, every page", async () => {
    const s = setup();
    for (let i = 0; i < 105; i++)
      h.fake.addCheckRun(s.repo, { name: APPROVAL, head_sha: s.headSha, external_id: "" });
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
    expect(
      h.calls().filter((c) => c.includes("check-runs?check_name=migration-warden%2Fapproval")),
    ).toEqual([
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?check_name=migration-warden%2Fapproval&app_id=${APP_ID}&filter=all&per_page=100`,
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?check_name=migration-warden%2Fapproval&app_id=${APP_ID}&filter=all&per_page=100&page=2`,
    ]);
  });
});

describe("answers that cannot be trusted whole", () => {
  test("errors beside partial data: the facts are read by REST, never taken from the answer", async () => {
    const s = setup();
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    approvalFactsOutOfFirstRead(h.fake);
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullFacts",
      partial: "Something went wrong while executing your query.",
      times: 10,
    });
    await evaluate(s);
    // (However often the request policy retries it.)
    expect(factsQueries().length).toBeGreaterThan(0);
    // (The last: the writer's check for a newer run before passing.)
    expect(h.calls().filter((c) => REST_FACTS.test(c) || BEFORE_PASSING.test(c))).toEqual([
      "GET /repos/Codertocat/Hello-World/issues/2/events?per_page=100",
      "GET /repos/Codertocat/Hello-World/pulls/2/reviews?per_page=100",
      "GET /repos/Codertocat/Hello-World/pulls/2/commits?per_page=100",
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?check_name=migration-warden%2Fapproval&app_id=${APP_ID}&filter=all&per_page=100`,
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
    ]);
    expect(gate()).toEqual(["success", "Approved by @alice"]);
  });

  test("errors and REST failing too: the check fails, never passes", async () => {
    const s = setup();
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    approvalFactsOutOfFirstRead(h.fake);
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullFacts",
      partial: "x",
      times: 10,
    });
    h.fake.failNext({
      method: "GET",
      path: /\/pulls\/2\/reviews$/,
      status: 502,
      message: "Bad Gateway",
      times: 10,
    });
    await evaluate(s);
    expect(gate()).toEqual(["failure", "Could not check this pull request"]);
  });
});

describe("forged or misplaced approvals", () => {
  test("a record in another app's run of the same name, on an earlier commit, is not an approval", async () => {
    const s = setup(2);
    await evaluate(s);
    const digest = h.runs(APPROVAL).at(-1)!.external_id.split("digest=")[1]!;
    const earlier = s.repo.pullCommitShas(s.number)[0]!;
    expect(earlier).not.toBe(s.headSha);
    h.fake.addCheckRun(s.repo, {
      appId: 999,
      name: APPROVAL,
      head_sha: earlier,
      external_id: `mw-approval/2;pr=2;digest=${digest};by=alice;at=2024-05-01T10:00:00Z`,
    });
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
    expect(h.runs(APPROVAL).at(-1)!.output.summary).not.toContain("@alice");
    expect(factsQueries()).toEqual([expect.objectContaining({ appId: APP_ID })]);
  });

  test("an approval on a commit outside the pull request (the base's) does not count", async () => {
    const s = setup();
    s.repo.review(s.number, { user: "alice", state: "APPROVED", commitId: s.baseSha });
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
  });

  test("a pending team member's approval does not count", async () => {
    const s = setup();
    s.repo.review(s.number, { user: "pat", state: "APPROVED" });
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
  });
});

/** The GraphQL queries the last event sent, by operation name. */
function operations(): string[] {
  return h.fake.requests
    .filter((r) => r.path === "/graphql")
    .map((r) => /^query (\w+)/.exec(String((r.body as { query: string }).query))?.[1] ?? "?");
}

describe("the first query's page of the facts (issue 15)", () => {
  test("decides as the facts query does, without sending it", async () => {
    const s = setup(3, (i) => (i === 1 ? "bob" : "dev"));
    s.repo.commit({ branch: "develop", parent: s.baseSha, files: { "x.txt": "x\n" } });
    s.repo.retarget(s.number, "develop", { at: "2024-01-01T00:00:00Z" });
    s.repo.retarget(s.number, "master", { at: "2024-01-01T00:00:01Z" });
    h.fake.setTeamMembership(OWNER, "dba", "carol", "active");
    const dismissed = s.repo.review(s.number, {
      user: "carol",
      state: "CHANGES_REQUESTED",
      submittedAt: "2024-01-02T00:00:00Z",
    });
    s.repo.dismissReview(s.number, dismissed, { at: "2024-01-02T00:00:01Z" });
    for (const [user, at] of [
      ["alice", "2024-01-03T00:00:00Z"],
      ["pat", "2024-01-03T00:00:01Z"],
    ] as const)
      s.repo.review(s.number, { user, state: "APPROVED", submittedAt: at });
    const decide = async () => {
      await evaluate(s);
      const run = h.runs(APPROVAL).at(-1)!;
      // (The marker names the evaluation's start.)
      const summary = (run.output.summary ?? "").replace(/started=\d+/, "started=");
      return { run: [run.conclusion, run.output.title, summary], sent: operations() };
    };
    const first = await decide();
    approvalFactsOutOfFirstRead(h.fake);
    const separate = await decide();
    expect(first.run).toEqual(separate.run);
    expect(first.run[0]).toBe("success");
    expect(first.run[2]).toContain("review was dismissed");
    expect(first.sent).not.toContain("MigrationWardenPullFacts");
    expect(separate.sent).toContain("MigrationWardenPullFacts");
  });

  test("a DBA's change request on the reviews' second page (of 111) blocks", async () => {
    const s = setup();
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    for (let i = 0; i < 109; i++) s.repo.review(s.number, { user: `u${i}`, state: "COMMENTED" });
    h.fake.setTeamMembership(OWNER, "dba", "carol", "active");
    s.repo.review(s.number, { user: "carol", state: "CHANGES_REQUESTED" });
    await evaluate(s);
    expect(gate()[0]).not.toBe("success");
    expect(h.runs(APPROVAL).at(-1)!.output.summary).toContain("@carol");
    expect(factsQueries().map((v) => [v.reviews, v.reviewsAfter, v.timeline, v.commits])).toEqual([
      [true, null, true, true],
      [true, "100", false, false],
    ]);
    expect(h.calls().filter((c) => REST_FACTS.test(c))).toEqual([]);
  });

  test("a change request dismissed only on the timeline's second page: read there", async () => {
    const s = setup();
    h.fake.setTeamMembership(OWNER, "dba", "carol", "active");
    for (let i = 0; i < 100; i++) {
      const id = s.repo.review(s.number, { user: `user${i}`, state: "COMMENTED" });
      s.repo.dismissReview(s.number, id);
    }
    const blocked = s.repo.review(s.number, { user: "carol", state: "CHANGES_REQUESTED" });
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    await evaluate(s);
    expect(gate()[0]).not.toBe("success");
    // Its dismissal is the timeline's 101st item: the facts query reads it after the first page.
    s.repo.dismissReview(s.number, blocked);
    await evaluate(s);
    expect(gate()).toEqual(["success", "Approved by @alice"]);
    expect(factsQueries().map((v) => [v.timeline, v.timelineAfter])).toEqual([
      [true, null],
      [true, "100"],
    ]);
  });

  test("the head moving between the first query and the rest of the facts: never a pass", async () => {
    // 12 commits: the first query lists 8, the facts query the rest.
    const s = setup(12);
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      afterAnswer: () => {
        // (An edit of a file the pull request already changes: its file list stays the same.)
        const moved = s.repo.commit({ parent: s.headSha, files: { "src/n.txt": "moved\n" } });
        s.repo.pushToPullRequest(s.number, moved);
      },
    });
    await evaluate(s);
    const run = h.runs(APPROVAL).find((r) => r.head_sha === s.headSha)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("it probably changed during the check");
    expect(factsQueries().map((v) => [v.commits, v.commitsAfter])).toEqual([
      [true, null],
      [true, "8"],
    ]);
  });

  test("a click recorded in another app's suite on the head is no approval; this app's is", async () => {
    const s = setup();
    await evaluate(s);
    const own = h.runs(APPROVAL).at(-1)!;
    // This app's run of the approval check, clicked by alice: her approval is recorded.
    await h.receive("check_run", clickEvent(h.fake, own, "alice"));
    const recorded = h.runs(APPROVAL).at(-1)!;
    expect(recorded.external_id).toContain("by=alice");
    // The same record copied into another app's run on the head, in a repository where only
    // that one exists: no approval.
    const t = setup(1, () => "dev", "Other");
    h.fake.addCheckRun(t.repo, {
      appId: 999,
      name: APPROVAL,
      head_sha: t.headSha,
      external_id: recorded.external_id,
    });
    await evaluate(t);
    expect(gate()[0]).toBe("action_required");
    expect(h.runs(APPROVAL).at(-1)!.output.summary).not.toContain("@alice");
    expect(operations()).not.toContain("MigrationWardenPullFacts");
    // This app's recorded click counts, read from the first query's page.
    await evaluate(s);
    expect(gate()).toEqual(["success", "Approved by @alice"]);
    expect(operations()).not.toContain("MigrationWardenPullFacts");
    expect(h.calls().filter((c) => REST_FACTS.test(c) || BEFORE_PASSING.test(c))).toEqual([
      // (The writer's check for a newer run before passing.)
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
    ]);
  });

  test("errors beside the data inside the facts part: the pull request stands, the facts are read again", async () => {
    const s = setup();
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    approvalFactsOutOfFirstRead(h.fake, { times: 1 });
    await evaluate(s);
    expect(gate()).toEqual(["success", "Approved by @alice"]);
    // Not the pull request by REST; the facts by their own query, from the start.
    expect(h.calls().filter((c) => /\/pulls\/2$/.test(c))).toEqual([]);
    expect(operations().filter((o) => o === "MigrationWardenPullFacts")).toHaveLength(1);
    expect(factsQueries().at(-1)).toMatchObject({
      reviewsAfter: null,
      timelineAfter: null,
      commitsAfter: null,
      commitsFirst: 100,
    });
  });
});
