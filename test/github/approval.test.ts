/**
 * The `migration-warden/approval` check through the webhook handler: one test per security
 * property of the DBA gate, each against the in-memory GitHub, every check-run body validated
 * against GitHub's OpenAPI schema (see harness.ts).
 */
import { beforeEach, describe, expect, test } from "@jest/globals";
import { GitObjectCache } from "../../src/github/git-object-cache.js";
import type { FakeCheckRun, FakeRepo, FileSpec } from "../support/fake-github.mjs";
import {
  APPROVAL,
  APP_ID,
  approvalFactsOutOfFirstRead,
  approvalFactsReads,
  ATTEMPTS,
  clickEvent,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  reviewEvent,
  type Harness,
  readByRest,
  useHarness,
} from "./harness.js";

let h: Harness;
// The sandbox replay adds findings of its own and takes seconds per evaluation; the gate only
// reads the report's counts, which these tests set through the files.
// Git objects remembered across events (git-object-cache.ts), forgotten between tests.
const gitObjects = new GitObjectCache();
beforeEach(() => gitObjects.clear());
useHarness((created) => (h = created), { app: { replay: false, gitObjectCache: gitObjects } });

const OWNER = "Codertocat";
/** No error or warning finding (the down file's DROP TABLE is a notice). */
const NEW_MIGRATION = {
  "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY);\n",
  "migrations/0002_audit.down.sql": "DROP TABLE audit;\n",
};

function config(approval: string): string {
  return `directories:\n  - path: migrations\n    dialect: postgres\napproval:\n${approval}`;
}

interface Setup {
  repo: FakeRepo;
  baseSha: string;
  headSha: string;
  number: number;
}

/**
 * Codertocat/Hello-World with one merged migration and PR #2 by "dev" adding one, in one commit
 * by "dev". Team dba: alice and bob active, pat invited (pending); mallory has write access only.
 */
function setup(
  approval = "  teams: [dba]\n",
  change: Record<string, FileSpec> = NEW_MIGRATION,
): Setup {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const baseSha = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": config(approval), ...mergedMigrations(1) },
  });
  const headSha = repo.commit({ parent: baseSha, files: change, author: "dev" });
  const number = repo.openPullRequest({ number: 2, base: "master", head: headSha, user: "dev" });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  h.fake.setTeamMembership(OWNER, "dba", "bob", "active");
  h.fake.setTeamMembership(OWNER, "dba", "pat", "pending");
  repo.setRole("mallory", "write");
  return { repo, baseSha, headSha, number };
}

/** A push to the PR by `author` on top of its head, and the synchronize event for it. */
async function push(s: Setup, files: Record<string, FileSpec>, author = "dev"): Promise<string> {
  const head = s.repo.commit({ parent: s.repo.pullJSON(s.number).head.sha, files, author });
  s.repo.pushToPullRequest(s.number, head);
  await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));
  return head;
}

async function opened(s: Setup): Promise<void> {
  await h.receive("pull_request", pullRequestEvent("opened", s.repo, s.number));
}

async function reviewed(s: Setup, user: string | null, state: string): Promise<number> {
  const id = s.repo.review(s.number, { user, state });
  await h.receive("pull_request_review", reviewEvent("submitted", s.repo, s.number, id));
  return id;
}

async function click(run: FakeCheckRun, sender: string): Promise<void> {
  await h.receive("check_run", clickEvent(h.fake, run, sender));
}

/**
 * The variables of each GraphQL query that read approval facts (reviews, timeline, commits,
 * clicks): the first query's first page, then the facts query's.
 */
function factsQueries(): Array<Record<string, unknown>> {
  return approvalFactsReads(h.fake);
}

function latest(): FakeCheckRun {
  const r = h.runs(APPROVAL).at(-1);
  if (!r) throw new Error("no approval run");
  return r;
}

/** The latest approval run: conclusion, title and whether it offers the button. */
function state(): [string | null, string | null, boolean] {
  const r = latest();
  return [r.conclusion, r.output.title, r.actions.some((a) => a.identifier === "approve")];
}

const WAITING: [string, string, boolean] = [
  "action_required",
  "Waiting for DBA approval (0 of 1)",
  true,
];

/** Runs whose external_id records an accepted click. */
const records = () => h.runs(APPROVAL).filter((r) => r.external_id.includes(";by="));

describe("a pull request that changes migrations", () => {
  test("waits for a DBA with the Approve migrations button, and points to how to approve", async () => {
    const s = setup();
    await opened(s);
    expect(h.fake.checkRuns.map((r) => r.name)).toEqual([LINT, APPROVAL]);
    expect(state()).toEqual(WAITING);
    const run = latest();
    expect(run.head_sha).toBe(s.headSha);
    expect(run.actions).toEqual([
      {
        label: "Approve migrations",
        description: "Approve this migration content as a DBA",
        identifier: "approve",
      },
    ]);
    expect(run.details_url).toBe(
      "https://github.com/migration-warden/migration-warden/blob/main/docs/approval.md#how-to-approve",
    );
    expect(run.external_id).toMatch(/^mw-approval\/2;pr=2;digest=[0-9a-f]{64};base=[0-9a-f]{32}$/);
    expect(run.history).toEqual([
      { status: "in_progress", conclusion: null },
      { status: "completed", conclusion: "action_required" },
    ]);
    expect(run.output.summary).toContain("Active members of team **dba**");
    expect(run.output.summary).toContain("## How to approve");
  });

  test("an active member's approving review passes the check", async () => {
    const s = setup();
    await opened(s);
    h.fake.clearRequests();
    await reviewed(s, "alice", "APPROVED");

    expect(state()).toEqual(["success", "Approved by @alice", false]);
    expect(latest().output.summary).toMatch(
      /\| @alice \(active member of team dba\) \| review \d+ \|/,
    );
    // A review changes no finding: lint is not run again.
    expect(h.runs(LINT)).toHaveLength(1);
    expect(h.calls()).toContain("GET /orgs/Codertocat/teams/dba/memberships/alice");
  });
});

describe("who may approve", () => {
  test("a non-member's approval does not count", async () => {
    const s = setup();
    await opened(s);
    await reviewed(s, "mallory", "APPROVED");
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toMatch(
      /\| @mallory \| review \d+: approved \|.*\| not a member of team dba \|/,
    );
    expect(h.calls()).toContain("GET /orgs/Codertocat/teams/dba/memberships/mallory");
  });

  test("a pending member's approval does not count", async () => {
    const s = setup();
    await opened(s);
    await reviewed(s, "pat", "APPROVED");
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain(
      "invitation to team dba not yet accepted (pending membership does not count)",
    );
  });

  test("the author may not approve their own migration, even as a DBA, unless allowAuthor", async () => {
    h.fake.setTeamMembership(OWNER, "dba", "dev", "active");
    const s = setup();
    await opened(s);
    // GitHub refuses reviews by the author; the button does not check who clicks.
    await click(latest(), "dev");
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain(
      "- **not recorded** for #2: opened the pull request (approval.allowAuthor is false)",
    );
    expect(records()).toEqual([]);
  });

  test("the author's click counts when allowAuthor and allowContributors allow it", async () => {
    h.fake.setTeamMembership(OWNER, "dba", "dev", "active");
    const s = setup("  teams: [dba]\n  allowAuthor: true\n  allowContributors: true\n");
    await opened(s);
    await click(latest(), "dev");
    expect(state()).toEqual(["success", "Approved by @dev", false]);
    expect(records()).toHaveLength(1);
  });

  test("a DBA who pushed a commit to the pull request may not approve it", async () => {
    const s = setup();
    await opened(s);
    await push(s, { "docs/notes.md": "why\n" }, "alice");
    await reviewed(s, "alice", "APPROVED");
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain(
      "authored, co-authored or committed a commit of the pull request (approval.allowContributors is false)",
    );
  });

  test("a contributor's approval counts with allowContributors", async () => {
    const s = setup("  teams: [dba]\n  allowContributors: true\n");
    await opened(s);
    await push(s, { "docs/notes.md": "why\n" }, "alice");
    await reviewed(s, "alice", "APPROVED");
    expect(state()).toEqual(["success", "Approved by @alice", false]);
  });

  test("a listed user may approve without any team lookup", async () => {
    const s = setup("  users: [Carol]\n");
    await opened(s);
    h.fake.clearRequests();
    await reviewed(s, "carol", "APPROVED");
    expect(state()).toEqual(["success", "Approved by @carol", false]);
    expect(h.calls().filter((c) => /memberships|permission/.test(c))).toEqual([]);
  });

  describe("without teams or users: admins and maintainers", () => {
    test.each([
      ["admin", "success"],
      ["maintain", "success"],
      ["write", "action_required"],
      ["db-reviewer", "action_required"],
    ])("a reviewer with role %s → %s", async (role, conclusion) => {
      const s = setup("  required: always\n");
      s.repo.setRole("rita", role);
      await opened(s);
      await reviewed(s, "rita", "APPROVED");
      expect(latest().conclusion).toBe(conclusion);
      expect(h.calls()).toContain(
        "GET /repos/Codertocat/Hello-World/collaborators/rita/permission",
      );
      expect(latest().output.summary).toContain(
        "No `teams` or `users` are configured, so **admins and maintainers** of this repository may approve",
      );
    });

    test("a user without any role does not count", async () => {
      const s = setup("  required: always\n");
      await opened(s);
      await reviewed(s, "stranger", "APPROVED");
      expect(state()[0]).toBe("action_required");
      expect(latest().output.summary).toContain("repository role none");
    });
  });
});

describe("content binding", () => {
  /** The commits whose git objects GraphQL was asked for (src/github/git-gather.ts). */
  const commitsGathered = () =>
    h.fake.requests
      .filter((r) => r.path === "/graphql")
      .flatMap((r) =>
        Object.entries((r.body as { variables?: Record<string, string> }).variables ?? {})
          .filter(([k]) => /^c\d+$/.test(k))
          .map(([, v]) => v),
      );

  /** Gathers that asked for the pull request's approved commits' trees too (approved-trees.ts). */
  const approvalsGathered = () =>
    h.fake.requests.filter(
      (r) =>
        r.path === "/graphql" &&
        /^query MigrationWardenGather\b/.test(String((r.body as { query?: string }).query)) &&
        String((r.body as { query?: string }).query).includes("approvals: pullRequest("),
    );

  test("an approval is carried across a push that does not touch migrations", async () => {
    const s = setup();
    await opened(s);
    await reviewed(s, "alice", "APPROVED");
    h.fake.clearRequests();
    const newHead = await push(s, { "src/app.go": "package main\n" });

    expect(latest().head_sha).toBe(newHead);
    expect(state()).toEqual(["success", "Approved by @alice", false]);
    expect(latest().output.summary).toContain(`| \`${s.headSha.slice(0, 7)}\` |`);
    // The digest of the reviewed commit: its root tree came with the change's objects, in the
    // same GraphQL request (its migrations tree is the new head's): no request of its own.
    expect(approvalsGathered()).toHaveLength(1);
    expect(commitsGathered()).not.toContain(s.headSha);
    expect(h.calls().filter((c) => c.includes("/git/"))).toEqual([]);
  });

  test("the digest of an earlier commit is read once, however many approved it", async () => {
    const s = setup("  teams: [dba]\n  count: 2\n");
    await opened(s);
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    s.repo.review(s.number, { user: "bob", state: "APPROVED" });
    h.fake.clearRequests();
    await push(s, { "src/app.go": "package main\n" });

    expect(state()).toEqual(["success", "Approved by @alice and @bob", false]);
    // Read once: with the change's objects (approved-trees.ts), never in a request of its own.
    expect(approvalsGathered()).toHaveLength(1);
    expect(commitsGathered().filter((c) => c === s.headSha)).toHaveLength(0);
    // Lint's base and head trees, and the reviewed commit's: all by GraphQL, none by REST.
    expect(h.calls().filter((c) => c.includes("/git/"))).toEqual([]);
  });

  test("any edit of a migration voids it", async () => {
    const s = setup();
    await opened(s);
    await reviewed(s, "alice", "APPROVED");
    await push(s, {
      "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY, at date);\n",
    });
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain("given on different migration content");
  });

  test("a review whose commit GitHub lost does not count", async () => {
    const s = setup();
    await opened(s);
    s.repo.review(s.number, { user: "alice", state: "APPROVED", commitId: null });
    await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain("GitHub no longer knows the commit it was given on");
  });

  test("a review on a commit that no longer exists does not count, and does not fail the check", async () => {
    const s = setup();
    await opened(s);
    s.repo.review(s.number, { user: "alice", state: "APPROVED", commitId: "d".repeat(40) });
    await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain(`the migration content at ddddddd could not be read`);
  });
});

describe("reviews", () => {
  test("a DBA's change request blocks until they approve", async () => {
    const s = setup();
    await opened(s);
    await reviewed(s, "alice", "APPROVED");
    await reviewed(s, "bob", "CHANGES_REQUESTED");
    expect(state()).toEqual(["failure", "Changes requested by @bob", false]);
    expect(latest().output.summary).toContain(
      "@bob requested changes; the check fails until @bob approves or the review is dismissed.",
    );
    await reviewed(s, "bob", "APPROVED");
    expect(latest().conclusion).toBe("success");
  });

  test("a dismissed approval no longer counts", async () => {
    const s = setup();
    await opened(s);
    const id = await reviewed(s, "alice", "APPROVED");
    expect(latest().conclusion).toBe("success");
    s.repo.dismissReview(s.number, id);
    await h.receive("pull_request_review", reviewEvent("dismissed", s.repo, s.number, id));
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain("the review was dismissed");
    expect(h.runs(LINT)).toHaveLength(1);
  });

  test("a late review event evaluates the pull request's current head", async () => {
    const s = setup();
    await opened(s);
    const id = s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    const late = reviewEvent("submitted", s.repo, s.number, id);
    const newHead = s.repo.commit({ parent: s.headSha, files: { "x.md": "x\n" }, author: "dev" });
    s.repo.pushToPullRequest(s.number, newHead);
    await h.receive("pull_request_review", late);
    expect(late.pull_request.head.sha).toBe(s.headSha);
    expect(latest().head_sha).toBe(newHead);
    expect(state()[0]).toBe("success");
  });

  test("an edited review evaluates the approval again", async () => {
    const s = setup();
    await opened(s);
    const id = s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    await h.receive("pull_request_review", reviewEvent("edited", s.repo, s.number, id));
    expect(state()[0]).toBe("success");
  });

  test("every page of reviews is read", async () => {
    const s = setup();
    for (let i = 0; i < 120; i++) s.repo.review(s.number, { user: `user${i}`, state: "COMMENTED" });
    await reviewed(s, "alice", "APPROVED");
    // One query for every kind, then the reviews' second page alone (with its cursor).
    expect(h.calls().filter((c) => c.includes("/pulls/2/reviews"))).toEqual([]);
    expect(factsQueries().map((v) => [v.reviews, v.reviewsAfter, v.timeline, v.commits])).toEqual([
      [true, null, true, true],
      [true, "100", false, false],
    ]);
    expect(latest().conclusion).toBe("success");
  });

  test("count: 2 is not met by one approver reviewing and clicking", async () => {
    const s = setup("  teams: [dba]\n  count: 2\n");
    await opened(s);
    await reviewed(s, "alice", "APPROVED");
    expect(state()).toEqual(["action_required", "Waiting for DBA approval (1 of 2)", true]);
    await click(latest(), "alice");
    expect(records()).toHaveLength(1);
    expect(state()).toEqual(["action_required", "Waiting for DBA approval (1 of 2)", true]);
    await reviewed(s, "bob", "APPROVED");
    expect(state()).toEqual(["success", "Approved by @alice and @bob", false]);
  });
});

describe("the Approve migrations button", () => {
  test("a DBA's click is recorded in a new run of the app, and counts on later evaluations", async () => {
    const s = setup();
    await opened(s);
    const clicked = latest();
    await click(clicked, "alice");

    const recorded = latest();
    expect(recorded.id).not.toBe(clicked.id);
    expect(recorded.head_sha).toBe(s.headSha);
    expect(recorded.external_id).toMatch(
      new RegExp(
        // Version 3: the clicker's account id beside the login (a login can change hands).
        `^mw-approval/3;pr=2;digest=${clicked.external_id.split("digest=")[1]};by=alice;id=${h.fake.accountId("alice")};at=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
    expect(state()).toEqual(["success", "Approved by @alice", false]);
    expect(recorded.output.summary).toMatch(
      /^> \*\*Approve migrations\*\* clicked by @alice at .* on check run 9001 \(commit `[0-9a-f]{7}`\):\n> - \*\*recorded\*\* as an approval for #2\n/,
    );
    expect(recorded.output.summary).toMatch(
      /\| @alice \(active member of team dba\) \| \*\*Approve migrations\*\* button \|/,
    );
    // A click changes no finding.
    expect(h.runs(LINT)).toHaveLength(1);

    // The record is read back from the app's own runs on the PR's commits (this app's suites).
    h.fake.clearRequests();
    await push(s, { "src/app.go": "package main\n" });
    expect(factsQueries()).toEqual([expect.objectContaining({ appId: APP_ID, check: APPROVAL })]);
    // (The writer lists the new head's runs; the clicked commit's are never listed by REST.)
    expect(h.calls().filter((c) => c.includes(`/commits/${recorded.head_sha}/check-runs`))).toEqual(
      [],
    );
    expect(state()).toEqual(["success", "Approved by @alice", false]);
    // The audit trail names the run that carries the record.
    expect(latest().output.summary).toContain(
      `| @alice (active member of team dba) | **Approve migrations** button (check run ${recorded.id}) |`,
    );
  });

  test("a click by a non-DBA records nothing and says why", async () => {
    const s = setup();
    await opened(s);
    await click(latest(), "mallory");
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toMatch(
      /^> \*\*Approve migrations\*\* clicked by @mallory .*\n> - \*\*not recorded\*\* for #2: not a member of team dba\n>\n> Nothing was recorded\./,
    );
    expect(records()).toEqual([]);
    // Nor does anything count later.
    await push(s, { "src/app.go": "package main\n" });
    expect(state()).toEqual(WAITING);
  });

  test("a click on the run of an older head records nothing, even by a DBA", async () => {
    const s = setup();
    await opened(s);
    const old = latest();
    const newHead = await push(s, { "src/app.go": "package main\n" });
    await click(old, "alice");

    expect(latest().head_sha).toBe(newHead);
    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).toContain(
      `- **not recorded** for #2: this check run is for commit ${s.headSha.slice(0, 7)}, but the head of #2 is now ${newHead.slice(0, 7)}; use the latest check run`,
    );
    expect(records()).toEqual([]);
  });

  test("a click is ignored when its run's digest no longer matches the head (the base now guards more)", async () => {
    const s = setup("  teams: [dba]\n", { ...NEW_MIGRATION, "seeds/0001_s.up.sql": "SELECT 1;\n" });
    await opened(s);
    const clicked = latest();
    // The base now guards seeds/ too: the same head commit has other migration content.
    s.repo.commit({
      branch: "master",
      files: {
        ".github/migration-warden.yml": config("  teams: [dba]\n").replace(
          "directories:\n",
          "directories:\n  - path: seeds\n    dialect: postgres\n",
        ),
      },
    });
    await click(clicked, "alice");
    expect(latest().head_sha).toBe(clicked.head_sha);
    expect(latest().external_id).not.toBe(clicked.external_id);
    expect(state()[0]).toBe("action_required");
    expect(latest().output.summary).toContain(
      "the migration files changed since this check run was created; use the latest check run",
    );
    expect(records()).toEqual([]);
  });

  test.each([
    [
      "with another identifier",
      { identifier: "merge" },
      '**not recorded**: unknown action "merge"',
    ],
    ["by a bot", { type: "Bot" }, "**not recorded**: alice is not a user account"],
    [
      "on a run GitHub reports as another app's",
      { appId: 999 },
      "**not recorded**: ignored: check run 9001 was created by app 999, not by this app",
    ],
  ])("a click %s records nothing", async (_what, how, why) => {
    const s = setup();
    await opened(s);
    await h.receive("check_run", clickEvent(h.fake, latest(), "alice", how));
    expect(latest().output.summary).toContain(why);
    expect(state()).toEqual(WAITING);
    expect(records()).toEqual([]);
  });

  test("a click on the lint run is ignored", async () => {
    const s = setup();
    await opened(s);
    h.fake.clearRequests();
    await click(h.runs(LINT)[0]!, "alice");
    expect(h.calls()).toEqual([]);
  });

  test("a click on a closed pull request's run writes nothing", async () => {
    const s = setup();
    await opened(s);
    s.repo.closePullRequest(s.number);
    h.fake.clearRequests();
    await click(latest(), "alice");
    expect(h.calls().slice(-1)).toEqual(["POST /graphql"]);
    expect(h.runs(APPROVAL)).toHaveLength(1);
  });
});

describe("recorded clicks", () => {
  test("are found on every page of a commit's approval runs", async () => {
    const s = setup();
    await opened(s);
    const digest = latest().external_id.split("digest=")[1]!;
    // An old accepted click, then many evaluations since: GitHub lists the newest first.
    h.fake.addCheckRun(s.repo, {
      name: APPROVAL,
      head_sha: s.headSha,
      external_id: `mw-approval/2;pr=2;digest=${digest};by=alice;at=2024-05-01T10:00:00Z`,
    });
    for (let i = 0; i < 150; i++)
      h.fake.addCheckRun(s.repo, {
        name: APPROVAL,
        head_sha: s.headSha,
        external_id: `mw-approval/2;pr=2;digest=${digest}`,
        conclusion: "action_required",
      });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));
    // Two pages for the recorded clicks, two more of the app's runs (every name) before the
    // passing results are written (no newer run on the commit); before them, the app's runs the
    // approval run's pull requests come from.
    expect(
      h
        .calls()
        .filter((c) => c.includes(`/commits/${s.headSha}/check-runs?`))
        .slice(-4),
    ).toEqual([
      ...[1, 2].map(
        (page) =>
          `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?check_name=migration-warden%2Fapproval&app_id=${APP_ID}&filter=all&per_page=100${page > 1 ? `&page=${page}` : ""}`,
      ),
      ...[1, 2].map(
        (page) =>
          `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100${page > 1 ? `&page=${page}` : ""}`,
      ),
    ]);
    expect(state()).toEqual(["success", "Approved by @alice", false]);
  });
});

describe("forged approvals", () => {
  test("approval text in a comment and another app's check run are ignored", async () => {
    const s = setup();
    await opened(s);
    const digest = latest().external_id.split("digest=")[1]!;
    const forged = `mw-approval/2;pr=2;digest=${digest};by=alice;at=2024-05-01T10:00:00Z`;
    s.repo.comment(s.number, {
      user: "mallory",
      body: `${forged}\n\nApproved by @alice. /approve`,
    });
    h.fake.addCheckRun(s.repo, {
      appId: 999,
      name: APPROVAL,
      head_sha: s.headSha,
      external_id: forged,
    });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));

    expect(state()).toEqual(WAITING);
    expect(latest().output.summary).not.toContain("@alice");
    // Comments are never read; runs are listed for this app only.
    expect(h.calls().filter((c) => c.includes("/comments"))).toEqual([]);
    expect(factsQueries()).toEqual([expect.objectContaining({ appId: APP_ID, check: APPROVAL })]);
  });
});

describe("one head commit in several pull requests", () => {
  /** PR #2 into master (approval: never) and PR #3 into release (team dba), same head. */
  function twoBases(): Setup & { release: number } {
    const s = setup("  required: never\n");
    s.repo.commit({
      branch: "release",
      parent: s.baseSha,
      files: { ".github/migration-warden.yml": config("  teams: [dba]\n") },
    });
    const release = s.repo.openPullRequest({
      number: 3,
      base: "release",
      head: s.headSha,
      user: "dev",
    });
    return { ...s, release };
  }

  test("the stricter base wins, whichever pull request was evaluated last", async () => {
    const s = twoBases();
    await h.receive("pull_request", pullRequestEvent("opened", s.repo, s.release));
    expect(state()).toEqual(["action_required", "#3: Waiting for DBA approval (0 of 1)", true]);
    // The weak base's own event still writes the strict decision.
    await opened(s);
    expect(state()).toEqual(["action_required", "#3: Waiting for DBA approval (0 of 1)", true]);
    expect(latest().external_id).toMatch(/^mw-approval\/2;pr=2,3;digest=/);
    expect(latest().output.summary).toContain("## #2 into master: Approved");
    expect(latest().output.summary).toContain("## #3 into release: Waiting for approval");

    await reviewed({ ...s, number: s.release }, "alice", "APPROVED");
    expect(state()).toEqual(["success", "Approved for all 2 pull requests", false]);
  });

  test("an invalid configuration on the other base fails the check", async () => {
    const s = twoBases();
    s.repo.commit({
      branch: "release",
      files: { ".github/migration-warden.yml": config("  teams: [dba]\n  count: 0\n") },
    });
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    await opened(s);
    expect(state()).toEqual(["failure", "#3: Approval could not be evaluated", false]);
    expect(latest().output.summary).toContain(
      "Invalid configuration .github/migration-warden.yml@release",
    );
  });

  test("a click records the approval for every pull request its run showed", async () => {
    const s = twoBases();
    await opened(s);
    await click(latest(), "alice");
    expect(latest().external_id).toMatch(
      /^mw-approval\/3;pr=2,3;digest=[0-9a-f]{64};base=[0-9a-f]{32};by=alice;id=\d+;at=/,
    );
    expect(state()[0]).toBe("success");
    // The click was judged once: one new run for both pull requests.
    expect(h.runs(APPROVAL)).toHaveLength(2);
  });

  test("a closed pull request, or one whose head is a later commit, does not count", async () => {
    const s = twoBases();
    s.repo.closePullRequest(s.release);
    // A stacked pull request: the head commit is in it, but not its head.
    const later = s.repo.commit({ parent: s.headSha, files: { "x.md": "x\n" }, author: "dev" });
    s.repo.openPullRequest({ number: 4, base: "release", head: later, user: "dev" });
    expect(s.repo.pullJSON(3).state).toBe("closed");
    await opened(s);
    expect(state()).toEqual(["success", "No approval required", false]);
    expect(latest().external_id).toMatch(/^mw-approval\/2;pr=2(;|$)/);
    // Neither is even read.
    expect(h.calls().filter((c) => /\/pulls\/[34]/.test(c))).toEqual([]);
  });
});

describe("in a fork network", () => {
  test("a pull request of another repository with the same head is not part of the decision", async () => {
    const upstream = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
    const fork = h.fake.createRepo("forker", "Hello-World", { fork: true });
    const base = upstream.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": config("  teams: [dba]\n"), ...mergedMigrations(1) },
    });
    fork.branches.set("main", base);
    const head = fork.commit({
      branch: "feature",
      parent: base,
      files: NEW_MIGRATION,
      author: "dev",
    });
    upstream.openPullRequest({ number: 2, base: "master", head, headRepo: fork, user: "dev" });
    // The fork's own pull request of the same branch, where the app is installed too.
    const own = fork.openPullRequest({ number: 1, base: "main", head, user: "dev" });
    await h.receive("pull_request", pullRequestEvent("opened", fork, own));

    expect(latest().repo).toBe(fork);
    expect(latest().external_id).toMatch(/^mw-approval\/2;pr=1;digest=/);
    expect(h.calls().filter((c) => c.includes("/pulls/2"))).toEqual([]);
  });
});

describe("fails closed", () => {
  test("an invalid configuration fails both checks, even with a DBA's approval", async () => {
    const s = setup("  teams: [dba]\n  count: 0\n");
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    await opened(s);
    expect(h.fake.checkRuns.map((r) => [r.name, r.conclusion])).toEqual([
      [LINT, "failure"],
      [APPROVAL, "failure"],
    ]);
    expect(state()).toEqual(["failure", "Approval could not be evaluated", false]);
    expect(latest().output.summary).toContain(
      `Invalid configuration .github/migration-warden.yml@master (commit ${s.baseSha.slice(0, 7)}): approval.count: expected a positive integer`,
    );
    expect(latest().output.summary).not.toContain("alice");
  });

  const steps: Array<[string, (reviewed: string) => RegExp, Record<string, string>?]> = [
    ["the head commit's pull requests", () => /\/commits\/[0-9a-f]{40}\/pulls$/],
    ["the reviews", () => /\/pulls\/2\/reviews$/],
    ["the commits", () => /\/pulls\/2\/commits$/],
    // The commits' runs are listed in parallel: those of one commit fail.
    [
      "the recorded clicks",
      (reviewed) => new RegExp(`/commits/${reviewed}/check-runs$`),
      { check_name: APPROVAL },
    ],
    ["a team membership", () => /\/memberships\//],
    // By REST when GraphQL cannot give its trees (see below).
    ["the reviewed commit", (reviewed) => new RegExp(`/git/commits/${reviewed}$`)],
  ];
  test.each(steps)(
    "an API error reading %s fails the approval check with the reason",
    async (_step, path, query = {}) => {
      const s = setup();
      s.repo.review(s.number, { user: "alice", state: "APPROVED" });
      // The approval was given before a push that left the migrations alone.
      const head = s.repo.commit({
        parent: s.headSha,
        files: { "src/app.go": "x\n" },
        author: "dev",
      });
      s.repo.pushToPullRequest(s.number, head);
      await opened(s);
      expect(latest().conclusion).toBe("success");
      const lint = h.runs(LINT)[0]!.conclusion;

      // The git objects' GraphQL request fails (the trees are read by REST then).
      // A process that has not read the reviewed commit yet (another worker): this one remembers
      // its trees from the first event and would not read them again.
      if (_step === "the reviewed commit") {
        gitObjects.clear();
        h.fake.graphqlFault({ executed: true, error: "Something went wrong", times: 10 });
      }
      // The pull request's query cannot give the head's other pull requests: read by REST.
      if (_step === "the head commit's pull requests") readByRest(h.fake, "associatedPullRequests");
      // The approval facts' query fails (and the first query's page of them is unusable): they
      // are read by REST, whose failure fails the check.
      if (["the reviews", "the commits", "the recorded clicks"].includes(_step)) {
        approvalFactsOutOfFirstRead(h.fake);
        h.fake.graphqlFault({
          executed: true,
          operation: "MigrationWardenPullFacts",
          error: "Something went wrong",
        });
      }
      // GitHub keeps failing: the first request and every retry.
      h.fake.failNext({
        method: "GET",
        path: path(s.headSha),
        query,
        status: 502,
        message: "Bad Gateway",
        times: ATTEMPTS,
      });
      await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));
      const failed = h.fake.requests.find((r) => r.status === 502);
      expect(failed).toBeDefined();
      expect(state()).toEqual(["failure", "Could not check this pull request", false]);
      expect(latest().output.summary).toContain(
        `**Reason:** GitHub API error: GET ${decodeURIComponent(failed!.path)} answered HTTP 502: Bad Gateway`,
      );
      expect(latest().status).toBe("completed");
      const lintRun = h.runs(LINT).at(-1)!;
      if (_step === "the head commit's pull requests") {
        // Lint decides for the head's pull requests too (checks/lint.ts), from the same read:
        // it fails with the same reason rather than pass on this pull request alone.
        expect(lintRun.conclusion).toBe("failure");
        expect(lintRun.output.summary).toContain(
          `**Reason:** GitHub API error: GET ${decodeURIComponent(failed!.path)} answered HTTP 502: Bad Gateway`,
        );
        // One read for both checks: the first request and its retries, once.
        expect(h.fake.requests.filter((r) => r.path === failed!.path)).toHaveLength(ATTEMPTS);
      } else {
        // Lint is unaffected.
        expect(lintRun.conclusion).toBe(lint);
      }
    },
  );

  test("a rate limit fails the check instead of passing it", async () => {
    const s = setup();
    await opened(s);
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    h.fake.failNext({
      method: "GET",
      path: /\/memberships\//,
      status: 403,
      message: "API rate limit exceeded for installation ID 1.",
    });
    await h.receive("pull_request", pullRequestEvent("synchronize", s.repo, s.number));
    expect(state()[0]).toBe("failure");
    expect(latest().output.summary).toContain("API rate limit exceeded");
  });

  test("more than 250 commits fail the check", async () => {
    const s = setup();
    let head = s.headSha;
    for (let i = 0; i < 250; i++)
      head = s.repo.commit({ parent: head, files: { "src/n.txt": `${i}\n` }, author: "dev" });
    s.repo.pushToPullRequest(s.number, head);
    s.repo.review(s.number, { user: "alice", state: "APPROVED" });
    await opened(s);
    expect(state()).toEqual(["failure", "Approval could not be evaluated", false]);
    expect(latest().output.summary).toContain(
      "the pull request has 251 commits and GitHub lists at most 250",
    );
    expect(h.calls().filter((c) => c.includes("/pulls/2/commits"))).toEqual([]);
  });

  test.each([
    ["required: always", "  teams: [dba]\n"],
    // Nothing the app saw is risky, but what it could not see might be.
    ["required: risky", "  teams: [dba]\n  required: risky\n"],
  ])(
    "a pull request beyond GitHub's 3,000-file listing does not pass, even approved (%s)",
    async (_policy, approval) => {
      const change: Record<string, FileSpec> = { ...NEW_MIGRATION };
      for (let i = 0; i < 3000; i++) change[`docs/page-${i}.md`] = `${i}\n`;
      const s = setup(approval, change);
      s.repo.review(s.number, { user: "alice", state: "APPROVED" });
      await opened(s);
      expect(h.runs(LINT)[0]!.output.title).toMatch(/^Incomplete analysis: /);
      expect(state()).toEqual(["failure", "Analysis incomplete: approval cannot pass", false]);
      expect(latest().output.summary).toContain(
        "the pull request changes 3002 files and GitHub lists at most 3000",
      );
    },
  );

  test("an unexpected membership state fails the check", async () => {
    const s = setup();
    h.fake.setTeamMembership(OWNER, "dba", "alice", "suspended" as "active");
    await opened(s);
    await reviewed(s, "alice", "APPROVED");
    expect(state()[0]).toBe("failure");
    expect(latest().output.summary).toContain(
      'GitHub reported the unexpected membership state "suspended" for alice in team dba',
    );
  });
});

describe("no approval needed", () => {
  test("a pull request that changes no migration passes without reading reviews", async () => {
    const s = setup("  teams: [dba]\n", { "src/app.go": "package main\n" });
    await opened(s);
    expect(state()).toEqual(["success", "No migration changed", false]);
    expect(h.calls().filter((c) => /reviews|\/pulls\/2\/commits/.test(c))).toEqual([]);
    // Runs are listed only to find a newer run before the passing results are written: once
    // for both checks.
    expect(h.calls().filter((c) => c.includes("check-runs?"))).toEqual([
      `GET /repos/Codertocat/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
    ]);
  });

  test("required: risky passes a change without error or warning findings", async () => {
    const s = setup("  required: risky\n  teams: [dba]\n");
    await opened(s);
    expect(state()).toEqual(["success", "No approval required", false]);
  });

  test("required: risky waits for a DBA when a warning remains", async () => {
    // No down file: missing-down-migration is a warning.
    const s = setup("  required: risky\n  teams: [dba]\n", {
      "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY);\n",
    });
    await opened(s);
    expect(state()).toEqual(WAITING);
  });
});
