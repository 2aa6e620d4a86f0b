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
function setup(commits = 1, authorOf: (i: number) => string = () => "dev"): Setup {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
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

describe("every page of the approval facts", () => {
  test("a DBA who authored commit 120 of 130 may not approve (the commits' second page)", async () => {
    const s = setup(130, (i) => (i === 120 ? "alice" : "dev"));
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    await evaluate(s);
    expect(gate()[0]).toBe("action_required");
    expect(h.runs(APPROVAL).at(-1)!.output.summary).toMatch(/alice/);
    // The first query's 10 commits, then pages of 100 after them.
    expect(factsQueries().map((v) => [v.commits, v.commitsAfter])).toEqual([
      [true, null],
      [true, "10"],
      [true, "110"],
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
    expect(h.calls().filter((c) => REST_FACTS.test(c))).toEqual([
      "GET /repos/Codertocat/Hello-World/issues/2/events?per_page=100",
      "GET /repos/Codertocat/Hello-World/pulls/2/reviews?per_page=100",
      "GET /repos/Codertocat/Hello-World/pulls/2/commits?per_page=100",
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?check_name=migration-warden%2Fapproval&app_id=${APP_ID}&filter=all&per_page=100`,
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?check_name=migration-warden%2Fapproval&app_id=${APP_ID}&filter=all&per_page=100`,
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
