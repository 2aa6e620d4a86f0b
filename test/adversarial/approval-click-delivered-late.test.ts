/**
 * An "Approve migrations" click is judged when its delivery is handled, which can be long after
 * the click: a queue job retried with backoff, a worker that died mid-job, a backlog behind a
 * slow evaluation, a delivery redelivered from the app's settings. The record's time used to be
 * that handling time, so whatever the approver did between the click and its handling was read
 * as coming before it:
 *
 * - the DBA clicks, then withdraws by requesting changes (the documented way to withdraw a
 *   click), the pull request's author dismisses that change request, and the click, handled
 *   late, counts as newer than the change request: the withdrawn click passes the gate;
 * - the pull request is retargeted away and back (`master` → `decoy` → `master`) after the
 *   click, and the click, handled late, counts as given after the last base change.
 *
 * The click cannot have been made before the clicked run was created (its `started_at`): it
 * is judged as made then, the safe side for both rules.
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeCheckRun, FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  clickEvent,
  mergedMigrations,
  pullRequestEvent,
  reviewEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";

/** ISO time, whole seconds, `seconds` from now. */
function ago(seconds: number): string {
  return new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function opened(): Promise<{ repo: FakeRepo; number: number }> {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
  });
  repo.commit({ branch: "decoy", parent: base, files: { "README.md": "decoy\n" } });
  const head = repo.commit({
    parent: base,
    files: { "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY);\n" },
    author: "dev",
  });
  const number = repo.openPullRequest({ number: 2, base: "master", head, user: "dev" });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  return { repo, number };
}

function latest(): FakeCheckRun {
  const r = h.runs(APPROVAL).at(-1);
  if (!r) throw new Error("no approval run");
  return r;
}

/** The run alice clicked, shown 60 s ago (the button appeared when it was created). */
function clickedRun(): FakeCheckRun {
  const run = latest();
  expect(run.conclusion).toBe("action_required");
  run.started_at = ago(60);
  return run;
}

describe("a click whose delivery is handled late", () => {
  test("does not outrun the change request its approver made after clicking", async () => {
    const { repo, number } = await opened();
    const clicked = clickedRun();
    // After the click: alice withdraws it, and the author dismisses her change request.
    const withdrawal = repo.review(number, {
      user: "alice",
      state: "CHANGES_REQUESTED",
      submittedAt: ago(30),
    });
    repo.dismissReview(number, withdrawal, { at: ago(20) });

    // The click's delivery is handled now.
    await h.receive("check_run", clickEvent(h.fake, clicked, "alice"));

    const run = latest();
    expect(run.conclusion).toBe("action_required");
    expect(run.external_id).not.toContain(";by=");
    expect(run.output.summary).toContain("**not recorded** for #2");
    expect(run.output.summary).toContain("they requested changes afterwards");
    // A click on the run written since (after the dismissal) approves as before.
    await h.receive("check_run", clickEvent(h.fake, run, "alice"));
    expect(latest().conclusion).toBe("success");
  });

  test("does not count for a pull request of the same head where it was withdrawn, though another took it", async () => {
    const { repo, number } = await opened();
    // PR #3 into release proposes the same head (release = master, same policy).
    repo.commit({ branch: "release", parent: repo.pullJSON(number).base.sha, files: {} });
    const release = repo.openPullRequest({
      number: 3,
      base: "release",
      head: repo.pullJSON(number).head.sha,
      user: "dev",
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, release));
    expect(latest().external_id).toMatch(/^mw-approval\/2;pr=2,3;/);
    const clicked = clickedRun();
    // After the click: alice withdraws it on #3 only, and the author dismisses that.
    const withdrawal = repo.review(release, {
      user: "alice",
      state: "CHANGES_REQUESTED",
      submittedAt: ago(30),
    });
    repo.dismissReview(release, withdrawal, { at: ago(20) });

    await h.receive("check_run", clickEvent(h.fake, clicked, "alice"));

    // #2 took the click; #3, where alice withdrew it, must not count it, now or later.
    expect(latest().conclusion).toBe("action_required");
    expect(latest().output.summary).toContain("**not recorded** for #3");
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, release));
    expect(latest().conclusion).toBe("action_required");
  });

  test("does not survive a retargeting away and back after it was made", async () => {
    const { repo, number } = await opened();
    const clicked = clickedRun();
    repo.retarget(number, "decoy", { at: ago(30) });
    repo.retarget(number, "master", { at: ago(20) });

    await h.receive("check_run", clickEvent(h.fake, clicked, "alice"));

    const run = latest();
    expect(run.conclusion).toBe("action_required");
    expect(run.external_id).not.toContain(";by=");
    expect(run.output.summary).toContain("given before the base branch changed");
  });

  test("a run without its start time takes no click", async () => {
    await opened();
    const payload = clickEvent(h.fake, latest(), "alice");
    delete payload.check_run.started_at;
    await h.receive("check_run", payload);
    expect(latest().conclusion).toBe("action_required");
    expect(latest().external_id).not.toContain(";by=");
    expect(latest().output.summary).toContain("when this check run was created is unknown");
  });

  test("a review event still counts a click made before it (the run it was made on is newer)", async () => {
    const { repo, number } = await opened();
    await h.receive("check_run", clickEvent(h.fake, latest(), "alice"));
    expect(latest().conclusion).toBe("success");
    const id = repo.review(number, { user: "alice", state: "COMMENTED" });
    await h.receive("pull_request_review", reviewEvent("submitted", repo, number, id));
    expect(latest().conclusion).toBe("success");
  });
});
