/**
 * Check-run writes per event: a quick evaluation writes each check
 * once, already completed; an event that changes nothing writes nothing again (a blocking
 * result only when no other evaluation of the check overlapped it: checks/in-flight.ts,
 * in-flight-writes.test.ts). And the ways around
 * "nothing changed": runs of other apps, stale identical runs, runs left in progress, facts that
 * change with time (a dismissed review, a team membership removed).
 */
import { describe, expect, test } from "@jest/globals";
import { DEFAULT_PENDING_AFTER_MS } from "../../src/github/review.js";
import type { FakeCheckRun } from "../support/fake-github.mjs";
import {
  dbaPullRequest,
  DROPPING_MIGRATION as MIGRATION,
  newestRun,
  newTables,
  OWNER,
  type PullRequestSetup as Setup,
} from "./check-writes.js";
import {
  APP_ID,
  APPROVAL,
  clickEvent,
  example,
  type Harness,
  LINT,
  mutationCreates,
  pullRequestEvent,
  reviewEvent,
  readByRest,
  useHarness,
} from "./harness.js";

let h: Harness;
// Without the sandbox replay: the quick path is what is measured (the replay has its own tests).
// A quick evaluation is one that settles before the pending limit; the production limit
// (DEFAULT_PENDING_AFTER_MS, 3 s) is passed by a starved test process, so the quick-path tests
// use a limit no evaluation here reaches, and the slow-path test a short one with its evaluation
// held until the runs show.
const QUICK = { app: { pendingAfterMs: 20 * DEFAULT_PENDING_AFTER_MS, replay: false } };
const SLOW = { app: { pendingAfterMs: 100, replay: false } };

/** PR #2 by "dev" with `change` on one merged migration; team dba: alice (active). */
function setup(change: Record<string, string>): Setup {
  return dbaPullRequest(h.fake, change);
}

/** A passing change: lint finds only a notice, alice (dba) approved it. */
async function approvedSafe(): Promise<Setup> {
  const s = setup(SAFE);
  await reviewed(s, "alice");
  expect(await event(s, "opened")).toEqual([`POST ${LINT} neutral`, `POST ${APPROVAL} success`]);
  return s;
}

const SAFE = {
  "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\n",
  "migrations/0002_t2.down.sql": "DROP TABLE t2;\n",
};

/** Check-run writes since the last clearRequests, as "METHOD name status". */
function writes(): string[] {
  return h.fake.requests
    .flatMap((r) =>
      r.method !== "GET" && /\/check-runs(\/\d+)?$/.test(r.path)
        ? [r]
        : mutationCreates(h.fake, r).map((c) => ({ ...r, ...c })),
    )
    .map((r) => {
      const body = r.body as { name?: string; status?: string; conclusion?: string };
      const id = /\/check-runs\/(\d+)$/.exec(r.path)?.[1];
      const name = body.name ?? h.fake.checkRuns.find((c) => c.id === Number(id))?.name;
      return `${r.method} ${name} ${body.conclusion ?? body.status ?? "-"}`;
    });
}

async function event(s: Setup, action = "synchronize"): Promise<string[]> {
  h.fake.clearRequests();
  await h.receive("pull_request", pullRequestEvent(action, s.repo, s.number));
  return writes();
}

async function reviewed(s: Setup, user: string): Promise<number> {
  return s.repo.review(s.number, { user, state: "APPROVED" });
}

function newest(name: string): FakeCheckRun {
  return newestRun(h, name);
}

/** A run another app (or GitHub Actions with a user's token) wrote, copying ours exactly. */
function copyOf(run: FakeCheckRun, s: Setup, appId: number): FakeCheckRun {
  const copy = h.fake.addCheckRun(s.repo, {
    appId,
    name: run.name,
    head_sha: run.head_sha,
    external_id: run.external_id,
    conclusion: run.conclusion,
    title: run.output.title ?? "",
  });
  copy.output.summary = run.output.summary;
  copy.output.text = run.output.text;
  copy.annotations.push(...run.annotations);
  return copy;
}

describe("writes per pull request event", () => {
  useHarness((created) => (h = created), QUICK);
  test("a passing migration change: one completed create per check; the same event again: nothing", async () => {
    const s = await approvedSafe();
    expect(newest(LINT).history).toEqual([{ status: "completed", conclusion: "neutral" }]);
    // A redelivery, and a synchronize that changed nothing: no write, and no listing of the
    // runs (the first query read them with the pull request).
    expect(await event(s, "opened")).toEqual([]);
    expect(await event(s)).toEqual([]);
    expect(
      h.calls().filter((c) => /\/commits\/[0-9a-f]{40}\/check-runs\?filter=all/.test(c)),
    ).toHaveLength(0);
    expect(h.fake.checkRuns).toHaveLength(2);
  });

  test("a blocking result is not written again when no other evaluation overlapped (the registry proves it)", async () => {
    const s = setup(MIGRATION);
    expect(await event(s, "opened")).toEqual([
      `POST ${LINT} failure`,
      `POST ${APPROVAL} action_required`,
    ]);
    // Annotations went with the create.
    expect(newest(LINT).annotations.map((a) => a.title)).toContain("drop-table");
    expect(newest(LINT).history).toEqual([{ status: "completed", conclusion: "failure" }]);
    expect(newest(APPROVAL).actions.map((a) => a.identifier)).toEqual(["approve"]);

    // A redelivery: both results block a merge and are unchanged, and no other evaluation of
    // either check ran meanwhile (checks/in-flight.ts): nothing is written. Where the registry
    // cannot prove that, both are written again (test/github/in-flight-writes.test.ts).
    expect(await event(s, "opened")).toEqual([]);
    expect(h.fake.checkRuns).toHaveLength(2);
  });

  test("a pull request touching no migration: two creates, then nothing", async () => {
    const s = setup({ "README.md": "# Hello again\n" });
    expect(await event(s, "opened")).toEqual([`POST ${LINT} success`, `POST ${APPROVAL} success`]);
    expect(newest(LINT).output.title).toBe("No migration changes");
    expect(await event(s)).toEqual([]);
  });

  test("a change of one check's result writes that check only", async () => {
    const s = setup(MIGRATION);
    await event(s, "opened");
    const id = await reviewed(s, "alice");
    h.fake.clearRequests();
    await h.receive("pull_request_review", reviewEvent("submitted", s.repo, s.number, id));
    expect(writes()).toEqual([`POST ${APPROVAL} success`]);
    // The same review delivered again: nothing.
    h.fake.clearRequests();
    await h.receive("pull_request_review", reviewEvent("submitted", s.repo, s.number, id));
    expect(writes()).toEqual([]);
  });

  test("more than 50 annotations: created in_progress with the first 50, completed by the last batch", async () => {
    // 60 new versions without down files: 60 missing-down-migration warnings.
    const s = setup(newTables(62));
    const lint = (await event(s, "opened")).filter((w) => w.includes(LINT));
    expect(lint).toEqual([`POST ${LINT} in_progress`, `PATCH ${LINT} neutral`]);
    const run = newest(LINT);
    expect(run.annotations.length).toBeGreaterThan(50);
    expect(run.history.map((x) => x.status)).toEqual(["in_progress", "completed"]);
    // Lint unchanged (neutral passes), even with its annotations written in two requests; the
    // approval still waits, unchanged, and no other evaluation overlapped: nothing written.
    expect(await event(s)).toEqual([]);
  });

  test("a re-run the user asks for writes fresh runs even when nothing changed", async () => {
    const s = setup(MIGRATION);
    await event(s, "opened");
    h.fake.clearRequests();
    const payload = example("check_run", "rerequested");
    payload.check_run = { ...payload.check_run, ...h.fake.runJSON(newest(LINT)) };
    payload.repository = { ...payload.repository, ...s.repo.toJSON() };
    await h.receive("check_run", payload);
    expect(writes()).toEqual([`POST ${LINT} failure`]);
  });

  test("an approval click is always answered with a new run", async () => {
    const s = setup(MIGRATION);
    await event(s, "opened");
    h.fake.clearRequests();
    await h.receive("check_run", clickEvent(h.fake, newest(APPROVAL), "alice"));
    expect(writes()).toEqual([`POST ${APPROVAL} success`]);
    expect(newest(APPROVAL).external_id).toMatch(/;by=alice;/);
    // The next evaluation still finds the click, and its run names no click (external_id
    // differs): written once; after that, nothing.
    // (Lint blocks, unchanged, with no other evaluation overlapping: not written again.)
    expect(await event(s)).toEqual([`POST ${APPROVAL} success`]);
    expect(await event(s)).toEqual([]);
  });
});

describe("never 'already written' when it is not", () => {
  useHarness((created) => (h = created), QUICK);
  test("an identical run by another app, or by GitHub Actions, newer than ours", async () => {
    const s = await approvedSafe();
    copyOf(newest(LINT), s, 999);
    // GitHub Actions (a workflow using a user's or GITHUB_TOKEN's token) is app 15368.
    copyOf(newest(APPROVAL), s, 15368);
    expect(await event(s)).toEqual([`POST ${LINT} neutral`, `POST ${APPROVAL} success`]);
    expect(newest(LINT).appId).toBe(APP_ID);
  });

  test("a stale identical run older than a different newer one of ours", async () => {
    const s = await approvedSafe();
    const identical = newest(LINT);
    // A newer run of ours on the same commit says something else (e.g. an evaluation failed).
    h.fake.addCheckRun(s.repo, {
      name: LINT,
      head_sha: s.headSha,
      external_id: identical.external_id,
      conclusion: "failure",
      title: "Could not check this pull request",
    });
    expect(await event(s)).toEqual([`POST ${LINT} neutral`]);
  });

  test("a run of ours left in progress, even with the same digest", async () => {
    const s = await approvedSafe();
    const done = newest(LINT);
    const pending = h.fake.addCheckRun(s.repo, {
      name: LINT,
      head_sha: s.headSha,
      external_id: done.external_id,
      conclusion: null,
    });
    pending.output.summary = done.output.summary;
    pending.annotations.push(...done.annotations);
    expect(await event(s)).toEqual([`POST ${LINT} neutral`]);
  });

  test("a run for another pull request with the same head is not this one's", async () => {
    const s = setup({ "README.md": "# Hello again\n" });
    await event(s, "opened");
    const other = s.repo.openPullRequest({
      number: 3,
      base: "master",
      head: s.headSha,
      user: "dev",
    });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("opened", s.repo, other));
    // Lint names its pull request (external_id); the approval run already decided for both.
    expect(writes()).toEqual([`POST ${LINT} success`, `POST ${APPROVAL} success`]);
    expect(newest(LINT).external_id).toBe("Codertocat/Hello-World#3");
  });

  test("a dismissed review is written again", async () => {
    const s = setup(MIGRATION);
    const id = await reviewed(s, "alice");
    await event(s, "opened");
    expect(newest(APPROVAL).conclusion).toBe("success");
    s.repo.dismissReview(s.number, id);
    h.fake.clearRequests();
    await h.receive("pull_request_review", reviewEvent("dismissed", s.repo, s.number, id));
    expect(writes()).toEqual([`POST ${APPROVAL} action_required`]);
  });

  test("a team membership removed is written again, whatever event notices it", async () => {
    const s = await approvedSafe();
    h.fake.setTeamMembership(OWNER, "dba", "alice", null);
    expect(await event(s)).toEqual([`POST ${APPROVAL} action_required`]);
    expect(newest(APPROVAL).output.summary).toContain("alice");
  });
});

describe("slow evaluations", () => {
  useHarness((created) => (h = created), SLOW);
  test("runs are shown in_progress once the evaluation takes longer than the limit", async () => {
    const s = setup(MIGRATION);
    // The evaluation stops at the file listing until the pending runs exist.
    readByRest(h.fake, "files");
    const pause = h.pause("GET", /\/pulls\/2\/files/);
    const done = h.receive("pull_request", pullRequestEvent("opened", s.repo, s.number));
    await pause.reached;
    while (h.fake.checkRuns.length < 2) await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.checkRuns.map((r) => [r.name, r.status])).toEqual([
      [LINT, "in_progress"],
      [APPROVAL, "in_progress"],
    ]);
    pause.resume();
    await done;
    expect(h.fake.checkRuns.map((r) => [r.name, r.conclusion])).toEqual([
      [LINT, "failure"],
      [APPROVAL, "action_required"],
    ]);
  }, 30_000);
});
