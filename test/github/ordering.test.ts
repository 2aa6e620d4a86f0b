/**
 * Deliveries that overlap: a push while an older delivery is still being evaluated, reviews
 * racing with pushes, several deliveries for one head at once. Responses to one delivery are
 * held back (harness pause(): the request reaches the fake only when resumed, so it sees GitHub
 * as it is then) while others run to the end.
 *
 * What must hold: results land on the commit each delivery evaluated, which is the pull request's
 * head when the delivery read it, never the head its payload named; the newest run of each check
 * on the current head is right; an older run never ends passing on an answer a newer one has
 * replaced; nothing is left in progress.
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeCheckRun, FakeRepo, FileSpec } from "../support/fake-github.mjs";
import {
  APPROVAL,
  approvalFactsOutOfFirstRead,
  example,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  reviewEvent,
  type Harness,
  readByRest,
  useHarness,
} from "./harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
/** A clean new migration pair (the down file's DROP TABLE is a notice: lint is neutral). */
const CLEAN = {
  "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY);\n",
  "migrations/0002_audit.down.sql": "DROP TABLE audit;\n",
};
/** An edit of a merged migration: lint fails. */
const EDIT_MERGED = { "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id int);\n" };

interface Pr {
  repo: FakeRepo;
  number: number;
  head: string;
}

/** PR #2 by "dev" on Codertocat/Hello-World; alice is an active member of the dba team. */
function pullRequest(change: Record<string, FileSpec>): Pr {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
  });
  const head = repo.commit({ parent: base, files: change, author: "dev" });
  const number = repo.openPullRequest({ number: 2, base: "master", head, user: "dev" });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  return { repo, number, head };
}

/** Pushes a commit on top of the PR's head (no event yet); returns its sha. */
function push(pr: Pr, files: Record<string, FileSpec>): string {
  const head = pr.repo.commit({
    parent: pr.repo.pullJSON(pr.number).head.sha,
    files,
    author: "dev",
  });
  pr.repo.pushToPullRequest(pr.number, head);
  return head;
}

/** The event payload as GitHub would send it now (it names the current head). */
const sync = (pr: Pr) => pullRequestEvent("synchronize", pr.repo, pr.number);

/** The newest run of `name` on `sha`. */
function newest(name: string, sha: string): FakeCheckRun | undefined {
  return h.fake.checkRuns.filter((r) => r.name === name && r.head_sha === sha).at(-1);
}

function show(r: FakeCheckRun | undefined): [string | null, string | null] | undefined {
  return r && [r.conclusion, r.output.title];
}

function nothingInProgress(): void {
  expect(h.fake.checkRuns.filter((r) => r.status !== "completed")).toEqual([]);
}

describe("an older synchronize finishing after a newer one", () => {
  test("writes only to the commit it evaluated; the new head keeps the newer result", async () => {
    const pr = pullRequest(CLEAN);
    const head1 = pr.head;
    // The older delivery reads the pull request (head1), starts its runs, and its file list is
    // held back.
    readByRest(h.fake, "files");
    const older = h.pause("GET", /\/pulls\/2\/files/);
    const first = h.receive("pull_request", sync(pr));
    await older.reached;
    expect(h.fake.checkRuns.map((r) => [r.name, r.head_sha, r.status])).toEqual([
      [LINT, head1, "in_progress"],
      [APPROVAL, head1, "in_progress"],
    ]);

    // A push that edits a merged migration, and its delivery, run to the end meanwhile.
    const head2 = push(pr, EDIT_MERGED);
    await h.receive("pull_request", sync(pr));
    const lint2 = show(newest(LINT, head2));
    const approval2 = show(newest(APPROVAL, head2));
    expect(lint2?.[0]).toBe("failure");
    expect(approval2?.[0]).toBe("action_required");

    // The older delivery now gets the file list of head2, not of the commit it evaluates.
    older.resume();
    await first;
    nothingInProgress();
    const byOlder = h.fake.checkRuns.slice(0, 2);
    expect(byOlder.map((r) => [r.head_sha, r.conclusion, r.output.title])).toEqual([
      [head1, "failure", "Could not check this pull request"],
      [head1, "failure", "Could not check this pull request"],
    ]);
    expect(byOlder[0]!.output.summary).toContain("the pull request changed during the check");
    // Nothing it wrote is on head2, whose newest runs are the newer delivery's.
    expect(h.fake.checkRuns.filter((r) => r.head_sha === head2)).toHaveLength(2);
    expect([show(newest(LINT, head2)), show(newest(APPROVAL, head2))]).toEqual([lint2, approval2]);
    // The approval summary is about head2.
    expect(newest(APPROVAL, head2)!.output.summary).toContain(`**Head commit:** \`${head2}\``);
  });

  test("a delivery that arrives after the push reviews the current head, not its payload's", async () => {
    const pr = pullRequest(EDIT_MERGED);
    const stale = sync(pr);
    // Its pull request read is held back until after the push.
    const older = h.pause("POST", /^\/graphql$/, /MigrationWardenPullRequest/);
    const first = h.receive("pull_request", stale);
    await older.reached;
    const head2 = push(pr, { ...CLEAN, "migrations/0001_t1.up.sql": null });
    // The push removed the edit (and the merged migration itself, which is still an error).
    await h.receive("pull_request", sync(pr));
    older.resume();
    await first;

    nothingInProgress();
    expect(stale.pull_request.head.sha).toBe(pr.head);
    expect(h.fake.checkRuns.every((r) => r.head_sha === head2)).toBe(true);
    // Both deliveries evaluated head2 and agree; the newest runs are the late delivery's.
    const runs = (name: string) => h.runs(name).map((r) => [r.conclusion, r.output.title]);
    expect(runs(LINT)).toEqual([runs(LINT)[0], runs(LINT)[0]]);
    expect(runs(APPROVAL)).toEqual([runs(APPROVAL)[0], runs(APPROVAL)[0]]);
    expect(runs(LINT)[0]![0]).toBe("failure");
  });
});

describe("reviews racing with pushes", () => {
  test("an approval of the old head does not pass the new head when the migrations changed", async () => {
    const pr = pullRequest(CLEAN);
    await h.receive("pull_request", sync(pr));
    const id = pr.repo.review(pr.number, { user: "alice", state: "APPROVED" });
    const reviewed = reviewEvent("submitted", pr.repo, pr.number, id);

    // The review's delivery reads the pull request (the approved head) and is held at its
    // reviews (the approval facts' query, the first query's page of them being unusable); a push
    // that edits the new migration is evaluated meanwhile.
    approvalFactsOutOfFirstRead(h.fake);
    const held = h.pause("POST", /^\/graphql$/, /MigrationWardenPullFacts/);
    const review = h.receive("pull_request_review", reviewed);
    await held.reached;
    const head2 = push(pr, {
      "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY, at date);\n",
    });
    await h.receive("pull_request", sync(pr));
    held.resume();
    await review;

    nothingInProgress();
    // The review delivery's run is on the commit it evaluated, and it saw the pull request move
    // on while it read the commits: it fails rather than decide on a mix of both heads.
    const old = newest(APPROVAL, pr.head)!;
    expect(show(old)).toEqual(["failure", "Approval could not be evaluated"]);
    expect(old.output.summary).toContain("it probably changed during the check");
    // The new head waits: the approval was given on other migration content.
    expect(show(newest(APPROVAL, head2))).toEqual([
      "action_required",
      "Waiting for DBA approval (0 of 1)",
    ]);
    expect(newest(APPROVAL, head2)!.output.summary).toContain(
      "given on different migration content",
    );
  });

  test("the review event arriving after the push is judged on the new head", async () => {
    const pr = pullRequest(CLEAN);
    await h.receive("pull_request", sync(pr));
    const id = pr.repo.review(pr.number, { user: "alice", state: "APPROVED" });
    const reviewed = reviewEvent("submitted", pr.repo, pr.number, id);
    const head2 = push(pr, {
      "migrations/0002_audit.down.sql": "DROP TABLE IF EXISTS audit;\n",
    });
    await h.receive("pull_request_review", reviewed);
    expect(reviewed.pull_request.head.sha).toBe(pr.head);
    expect(h.runs(APPROVAL).at(-1)!.head_sha).toBe(head2);
    expect(show(newest(APPROVAL, head2))?.[0]).toBe("action_required");
    nothingInProgress();
  });

  test("with the migrations unchanged by the push, the approval carries over to the new head", async () => {
    const pr = pullRequest(CLEAN);
    await h.receive("pull_request", sync(pr));
    const id = pr.repo.review(pr.number, { user: "alice", state: "APPROVED" });
    // Held at the approval facts' query (the first query's page of them being unusable).
    approvalFactsOutOfFirstRead(h.fake);
    const held = h.pause("POST", /^\/graphql$/, /MigrationWardenPullFacts/);
    const review = h.receive(
      "pull_request_review",
      reviewEvent("submitted", pr.repo, pr.number, id),
    );
    await held.reached;
    const head2 = push(pr, { "src/app.go": "package main\n" });
    await h.receive("pull_request", sync(pr));
    held.resume();
    await review;

    nothingInProgress();
    expect(show(newest(APPROVAL, pr.head))).toEqual(["failure", "Approval could not be evaluated"]);
    expect(show(newest(APPROVAL, head2))).toEqual(["success", "Approved by @alice"]);
  });
});

describe("concurrent deliveries for the same head", () => {
  test("any mix of events at once ends with the right result for both checks", async () => {
    const pr = pullRequest(CLEAN);
    const id = pr.repo.review(pr.number, { user: "alice", state: "APPROVED" });
    const opened = pullRequestEvent("opened", pr.repo, pr.number);
    const suite = example("check_suite", "rerequested");
    suite.repository = { ...suite.repository, ...pr.repo.toJSON() };
    suite.check_suite = {
      ...suite.check_suite,
      id: 4242,
      head_sha: pr.head,
      pull_requests: [{ number: pr.number, base: { repo: { id: pr.repo.id } } }],
    };
    suite.installation = h.fake.installationPayload();
    await Promise.all([
      h.receive("pull_request", opened, "same-delivery"),
      h.receive("pull_request", opened, "same-delivery"),
      h.receive("pull_request", sync(pr)),
      h.receive("pull_request_review", reviewEvent("submitted", pr.repo, pr.number, id)),
      h.receive("check_suite", suite),
    ]);

    nothingInProgress();
    expect(show(newest(LINT, pr.head))).toEqual(["neutral", "0 errors, 0 warnings, 1 notice"]);
    expect(show(newest(APPROVAL, pr.head))).toEqual(["success", "Approved by @alice"]);
    // Every run has the same answer, or gave way to a newer run of its check.
    for (const name of [LINT, APPROVAL]) {
      const answers = new Set(h.runs(name).map((r) => JSON.stringify(show(r))));
      answers.delete(JSON.stringify(show(newest(name, pr.head))));
      answers.delete(JSON.stringify(["failure", "Superseded by a newer check run"]));
      expect([name, [...answers]]).toEqual([name, []]);
    }
    // Each run was written once: no annotations appended twice.
    for (const r of h.runs(LINT)) expect(r.annotations.length).toBeLessThanOrEqual(1);
  });

  test("an older evaluation that saw a dismissed approval does not end passing", async () => {
    const pr = pullRequest(CLEAN);
    await h.receive("pull_request", sync(pr));
    const id = pr.repo.review(pr.number, { user: "alice", state: "APPROVED" });
    // The older delivery has read the approving review and is held at the approver's membership.
    const held = h.pause("GET", /\/memberships\/alice$/);
    const older = h.receive(
      "pull_request_review",
      reviewEvent("submitted", pr.repo, pr.number, id),
    );
    await held.reached;
    // The approval is dismissed, and that delivery runs to the end first.
    pr.repo.dismissReview(pr.number, id);
    await h.receive("pull_request_review", reviewEvent("dismissed", pr.repo, pr.number, id));
    const [, olderRun, newerRun] = h.runs(APPROVAL);
    expect(show(newerRun)).toEqual(["action_required", "Waiting for DBA approval (0 of 1)"]);

    held.resume();
    await older;
    nothingInProgress();
    // The older run would have passed on the dismissed review: it ends as failure instead,
    // pointing at the newer run, whichever of the two GitHub ranks as the latest.
    expect(show(olderRun)).toEqual(["failure", "Superseded by a newer check run"]);
    expect(olderRun!.output.summary).toContain(`check run ${newerRun!.id}`);
    expect(show(newest(APPROVAL, pr.head))).toEqual(show(newerRun));
    expect(h.runs(APPROVAL).some((r) => r.conclusion === "success")).toBe(false);
  });

  test("a newer run still in progress supersedes a passing older one too", async () => {
    const pr = pullRequest(CLEAN);
    pr.repo.review(pr.number, { user: "alice", state: "APPROVED" });
    // The older delivery is held just before it writes its passing approval (its one listing
    // of the app's runs on the head before completing passing runs).
    const olderHeld = h.pause("GET", /\/check-runs\?app_id=\d+&filter=all/);
    const older = h.receive("pull_request", sync(pr));
    await olderHeld.reached;
    // A newer delivery starts its runs and is held in its evaluation.
    readByRest(h.fake, "files");
    const newerHeld = h.pause("GET", /\/pulls\/2\/files/);
    const newer = h.receive("pull_request", sync(pr));
    await newerHeld.reached;

    olderHeld.resume();
    await older;
    const [, olderApproval, , newerApproval] = h.fake.checkRuns;
    expect(newerApproval!.status).toBe("in_progress");
    expect(show(olderApproval)).toEqual(["failure", "Superseded by a newer check run"]);

    newerHeld.resume();
    await newer;
    nothingInProgress();
    expect(show(newest(APPROVAL, pr.head))).toEqual(["success", "Approved by @alice"]);
  });
});
