/**
 * The writer's check-run listings: the head's runs come with the first query
 * (src/github/first-read/head-runs.ts), exactly as the REST listing gave them, or by REST when the
 * answer is not whole; and after writing, one listing serves every passing check. And the ways
 * around them: a part cut short or odd, another process's run written between the first query
 * and the writes or between two creates, a listing that fails, a listing of more than 100 runs.
 */
import { describe, expect, test } from "@jest/globals";
import { runsOnCommit, evaluationMarker } from "../../src/github/checks/written.js";
import type { GitHubClient } from "../../src/github/client.js";
import { HEAD_RUN_NAMES, headRunsOf } from "../../src/github/first-read/head-runs.js";
import { createClientFactory } from "../../src/github/octokit.js";
import { readPullRequest } from "../../src/github/pull-request-query.js";
import { DEFAULT_PENDING_AFTER_MS } from "../../src/github/review.js";
import type { FakeCheckRun, FakeRepo } from "../support/fake-github.mjs";
import {
  APP_ID,
  APPROVAL,
  ATTEMPTS,
  FAST_REQUESTS,
  type Harness,
  helloWorld,
  LINT,
  mergedMigrations,
  mutationCreates,
  pullRequestEvent,
  useHarness,
} from "./harness.js";

let h: Harness;
// As in writes.test.ts: a limit no evaluation here reaches, so every write is the quick one.
useHarness((created) => (h = created), {
  app: { pendingAfterMs: 20 * DEFAULT_PENDING_AFTER_MS, replay: false },
});

const OWNER = "Codertocat";
const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
const NOTHING_PASSES = expect.not.arrayContaining(["success", "neutral"]);

interface Setup {
  repo: FakeRepo;
  headSha: string;
  number: number;
}

/** PR #2 touching no migration: both checks pass. */
function setup(): Setup {
  const base = { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) };
  return helloWorld(h.fake, base, { "README.md": "# Hi\n" });
}

async function event(s: Setup, action = "synchronize"): Promise<void> {
  h.fake.clearRequests();
  await h.receive("pull_request", pullRequestEvent(action, s.repo, s.number));
}

/** Check-run listings sent since the last clearRequests. */
function listings(): string[] {
  return h.calls().filter((c) => /^GET .*\/check-runs\?/.test(c));
}

function creates(): string[] {
  return h.fake.requests
    .flatMap((r): Array<{ body?: unknown }> =>
      r.method === "POST" && /\/check-runs$/.test(r.path) ? [r] : mutationCreates(h.fake, r),
    )
    .map((r) => (r.body as { name: string }).name);
}

const newest = (name: string): FakeCheckRun => h.runs(name).at(-1)!;
const show = (r: FakeCheckRun | undefined) => [r?.conclusion, r?.output.title];

/**
 * What another process's evaluation of PR #2, started after this one, writes: a block (its
 * marker says it started a minute from now).
 */
function newerBlock(s: Setup, name: string): FakeCheckRun {
  const run = h.fake.addCheckRun(s.repo, {
    name,
    head_sha: s.headSha,
    external_id: `${OWNER}/Hello-World#${s.number}`,
    conclusion: name === APPROVAL ? "action_required" : "failure",
    title: "Blocked by a newer evaluation",
  });
  run.output.summary = `newer\n\n${evaluationMarker(Date.now() + 60_000)}`;
  return run;
}

/** Runs `f` on GitHub right after the next first query is answered. */
function afterFirstQuery(f: () => void): void {
  h.fake.graphqlFault({ executed: true, operation: "MigrationWardenPullRequest", afterAnswer: f });
}

async function client(): Promise<GitHubClient> {
  const base = (await h.probot.auth(h.fake.installationId)) as unknown as GitHubClient;
  return createClientFactory(FAST_REQUESTS)({
    octokit: base,
    payload: { installation: { id: h.fake.installationId } },
  });
}

describe("the runs read with the pull request", () => {
  test("are the REST listing's runs of the app's checks, field for field", async () => {
    const s = setup();
    // Runs of every kind: this app's and others', in progress, with annotations, other names.
    h.fake.addCheckRun(s.repo, { name: LINT, head_sha: s.headSha, conclusion: "failure" });
    const annotated = h.fake.addCheckRun(s.repo, {
      name: APPROVAL,
      head_sha: s.headSha,
      external_id: "Codertocat/Hello-World#2",
      conclusion: "action_required",
      title: "Waiting",
    });
    annotated.output.summary = `waiting\n\n${evaluationMarker(1234)}`;
    annotated.annotations.push({ path: "a", message: "b" } as never);
    h.fake.addCheckRun(s.repo, { name: APPROVAL, head_sha: s.headSha, conclusion: null });
    h.fake.addCheckRun(s.repo, {
      appId: 77,
      name: LINT,
      head_sha: s.headSha,
      conclusion: "success",
    });
    h.fake.addCheckRun(s.repo, { appId: 77, name: "ci/build", head_sha: s.headSha });
    h.fake.addCheckRun(s.repo, { name: "migration-warden/audit", head_sha: s.headSha });

    const octokit = await client();
    const pr = await readPullRequest(octokit, { owner: OWNER, repo: "Hello-World", number: 2 });
    const rest = await runsOnCommit(octokit, { owner: OWNER, repo: "Hello-World" }, s.headSha);
    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    expect(pr.headRuns?.sha).toBe(s.headSha);
    expect(pr.headRuns?.runs).toHaveLength(4);
    expect([...pr.headRuns!.runs].sort(byId)).toEqual(
      rest.filter((r) => HEAD_RUN_NAMES.includes(r.name)).sort(byId),
    );
  });

  test("an event reads them once, with the pull request: no listing before writing", async () => {
    const s = setup();
    await event(s, "opened");
    expect(creates()).toEqual([LINT, APPROVAL]);
    // Both pass: one listing after writing, for both (this app's runs, every name).
    expect(listings()).toEqual([
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
    ]);
    await event(s);
    expect(creates()).toEqual([]);
    expect(listings()).toEqual([]);
  });

  test.each<[string, (s: Setup) => void]>([
    [
      "more runs of a check in a suite than the query reads",
      (s) => {
        for (let i = 0; i < 11; i++)
          h.fake.addCheckRun(s.repo, { appId: 77, name: APPROVAL, head_sha: s.headSha });
      },
    ],
    [
      "more check suites than the query reads",
      (s) => {
        // One suite per app; the newest of them has a run of the approval check.
        for (let app = 1; app <= 20; app++)
          h.fake.addCheckRun(s.repo, { appId: 1000 + app, name: "ci/build", head_sha: s.headSha });
        h.fake.addCheckRun(s.repo, { appId: 77, name: APPROVAL, head_sha: s.headSha });
      },
    ],
  ])("%s: listed by REST, as before (the rest of the first read stands)", async (_name, add) => {
    const s = setup();
    await event(s, "opened");
    add(s);
    await event(s);
    expect(listings()).toEqual([
      // The approval's head group: the pull requests the app's runs on the head name.
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?filter=all&per_page=100`,
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
    ]);
    // Only the runs fell back: the pull request and its config still came from the query.
    expect(h.calls()).not.toContain(`GET /repos/${OWNER}/Hello-World/pulls/2`);
    expect(h.calls().filter((c) => c.includes("/contents/"))).toEqual([]);
    // Another app's run is the newest of the approval check: ours is written again.
    expect(creates()).toEqual([APPROVAL]);
  });

  test("a part GitHub answers with an error: the pull request and the runs by REST", async () => {
    const s = setup();
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      // Not one the request policy retries: GitHub's answer stands.
      partial: "Could not resolve to a node with the global id of 'X'.",
    });
    await event(s, "opened");
    expect(h.calls()).toContain(`GET /repos/${OWNER}/Hello-World/pulls/2`);
    // The head group's listing of the app's runs, then the writer's of every app's.
    expect(listings().slice(0, 2)).toEqual([
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?filter=all&per_page=100`,
    ]);
    expect(creates()).toEqual([LINT, APPROVAL]);
  });

  test("an error GitHub reports only inside the runs part: only the runs by REST", async () => {
    const s = setup();
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      // Not one the request policy retries: GitHub's answer stands.
      partial: "Could not resolve to a node with the global id of 'X'.",
      path: ["repository", "pullRequest", "headRuns", "nodes", 0, "commit", "checkSuites"],
    });
    await event(s, "opened");
    // The writer lists every app's runs by REST; the rest of the first read stands.
    expect(listings()).toContain(
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?filter=all&per_page=100`,
    );
    expect(h.calls()).not.toContain(`GET /repos/${OWNER}/Hello-World/pulls/2`);
    expect(h.calls().filter((c) => c.includes("/contents/"))).toEqual([]);
    expect(creates()).toEqual([LINT, APPROVAL]);
  });
});

describe("another process's run written after the first query", () => {
  test("before a write the newest run made unneeded: its block stays shown (fail closed)", async () => {
    const s = setup();
    await event(s, "opened");
    // The runs are read; then a newer evaluation elsewhere writes a block of the approval check.
    let block: FakeCheckRun | undefined;
    afterFirstQuery(() => (block = newerBlock(s, APPROVAL)));
    await event(s);
    // This evaluation's pass was already the newest run when it read them: nothing written,
    // and GitHub shows the newer evaluation's block.
    expect(creates()).toEqual([]);
    expect(newest(APPROVAL)).toBe(block);
    expect(show(newest(LINT))).toEqual(["success", "No migration changes"]);
  });

  test("before a pass is written: the pass ends superseded, pointing at it", async () => {
    const s = setup();
    let block: FakeCheckRun | undefined;
    afterFirstQuery(() => (block = newerBlock(s, APPROVAL)));
    await event(s, "opened");
    expect(creates()).toEqual([LINT, APPROVAL]);
    const ours = newest(APPROVAL);
    expect(ours.id).toBeGreaterThan(block!.id);
    expect(show(ours)).toEqual(["failure", "Superseded by a newer check run"]);
    expect(ours.output.summary).toContain(`check run ${block!.id}`);
    // Lint had no newer run: its pass stands. One listing after writing served both.
    expect(show(newest(LINT))).toEqual(["success", "No migration changes"]);
    expect(listings()).toHaveLength(1);
  });

  test("between this evaluation's two creates: no check ends showing a pass over a block", async () => {
    const s = setup();
    // GitHub carries out the mutation's creates one after the other: lint is created; a newer
    // evaluation in another process writes its blocks before the approval is.
    let lintBlock: FakeCheckRun | undefined;
    let approvalBlock: FakeCheckRun | undefined;
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenCreateCheckRuns",
      beforeCreate: (name) => {
        if (name !== APPROVAL) return;
        lintBlock = newerBlock(s, LINT);
        approvalBlock = newerBlock(s, APPROVAL);
      },
    });
    await event(s, "opened");
    expect(creates()).toEqual([LINT, APPROVAL]);
    expect(approvalBlock).toBeDefined();
    // Lint: the block came after our pass, so GitHub shows the block.
    expect(newest(LINT)).toBe(lintBlock);
    // Approval: our pass came after the block and would hide it: it ends superseded.
    expect(show(newest(APPROVAL))).toEqual(["failure", "Superseded by a newer check run"]);
    expect(newest(APPROVAL).output.summary).toContain(`check run ${approvalBlock!.id}`);
    expect(listings()).toHaveLength(1);
  });
});

describe("the listing after the passes are written", () => {
  test("that fails: every pass ends as failure with the reason", async () => {
    const s = setup();
    h.fake.failNext({
      method: "GET",
      path: /\/commits\/[0-9a-f]{40}\/check-runs$/,
      status: 500,
      times: ATTEMPTS,
      message: "listing is down",
    });
    await event(s, "opened");
    expect(listings()).toHaveLength(ATTEMPTS);
    for (const name of [LINT, APPROVAL]) {
      const run = newest(name);
      expect(run.status).toBe("completed");
      expect(run.conclusion).toBe("failure");
      expect(run.output.summary).toContain("listing is down");
      expect(h.runs(name).map((r) => r.conclusion)).toEqual(NOTHING_PASSES);
    }
  });

  test("of more than 100 runs: every page is read (a newer block on the last page counts)", async () => {
    const s = setup();
    let block: FakeCheckRun | undefined;
    afterFirstQuery(() => {
      block = newerBlock(s, APPROVAL);
      // 150 runs of another check of this app after it: the block lists on page 2.
      for (let i = 0; i < 150; i++)
        h.fake.addCheckRun(s.repo, { name: "migration-warden/audit", head_sha: s.headSha });
    });
    await event(s, "opened");
    const listing = `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`;
    expect(listings()).toEqual([listing, `${listing}&page=2`]);
    expect(show(newest(APPROVAL))).toEqual(["failure", "Superseded by a newer check run"]);
    expect(newest(APPROVAL).output.summary).toContain(`check run ${block!.id}`);
    expect(show(newest(LINT))).toEqual(["success", "No migration changes"]);
  });
});

describe("an answer not used whole: null (the writer lists by REST)", () => {
  const HEAD = "a".repeat(40);
  const REPO_ID = 42;
  const run = (id: number, name: string, more: Record<string, unknown> = {}) => ({
    databaseId: id,
    name,
    status: "COMPLETED",
    conclusion: "SUCCESS",
    externalId: "o/r#2",
    summary: "ok",
    url: `https://github.com/o/r/runs/${id}`,
    annotations: { totalCount: 0 },
    ...more,
  });
  const runs = (nodes: unknown[], more: Record<string, unknown> = {}) => ({
    totalCount: nodes.length,
    pageInfo: { hasNextPage: false },
    nodes,
    ...more,
  });
  const suite = (more: Record<string, unknown> = {}) => ({
    app: { databaseId: APP_ID },
    repository: { databaseId: REPO_ID },
    runs0: runs([run(1, LINT)]),
    runs1: runs([run(2, APPROVAL)]),
    ...more,
  });
  const answer = (suites: unknown[], more: Record<string, unknown> = {}, oid = HEAD) => ({
    nodes: [{ commit: { oid, checkSuites: runs(suites, more) } }],
  });

  test("a whole answer: every run, as REST names its fields", () => {
    const read = headRunsOf(
      answer([suite(), suite({ app: null, runs0: runs([]), runs1: runs([run(3, APPROVAL)]) })]),
      HEAD,
      REPO_ID,
    );
    expect(read?.runs).toEqual([
      {
        id: 1,
        name: LINT,
        appId: APP_ID,
        status: "completed",
        conclusion: "success",
        externalId: "o/r#2",
        summary: "ok",
        annotationsCount: 0,
        url: "https://github.com/o/r/runs/1",
      },
      expect.objectContaining({ id: 2, name: APPROVAL, appId: APP_ID }),
      expect.objectContaining({ id: 3, appId: null }),
    ]);
  });

  test("a suite of another repository (a fork sharing the commit) is not this one's", () => {
    const read = headRunsOf(
      answer([suite(), suite({ repository: { databaseId: 7 }, runs0: runs([run(9, LINT)]) })]),
      HEAD,
      REPO_ID,
    );
    expect(read?.runs.map((r) => r.id)).toEqual([1, 2]);
  });

  test.each<[string, unknown]>([
    ["the part missing", undefined],
    ["the part null", null],
    ["no commit", { nodes: [] }],
    ["the last commit is not the head", answer([suite()], {}, "b".repeat(40))],
    ["suites cut short", answer([suite()], { totalCount: 2 })],
    ["suites with a next page", answer([suite()], { pageInfo: { hasNextPage: true } })],
    ["suites without pageInfo", answer([suite()], { pageInfo: undefined })],
    ["runs cut short", answer([suite({ runs1: runs([run(2, APPROVAL)], { totalCount: 11 }) })])],
    [
      "runs with a next page",
      answer([suite({ runs0: runs([run(1, LINT)], { pageInfo: { hasNextPage: true } }) })]),
    ],
    ["a check's runs missing", answer([suite({ runs1: undefined })])],
    ["a suite without its repository", answer([suite({ repository: null })])],
    ["a suite's app without an id", answer([suite({ app: {} })])],
    ["a null suite", answer([null])],
    ["a null run", answer([suite({ runs0: runs([null]) })])],
    ["a run of another name", answer([suite({ runs0: runs([run(1, APPROVAL)]) })])],
    ["a run without an id", answer([suite({ runs0: runs([run(1, LINT, { databaseId: null })]) })])],
    ["an unknown status", answer([suite({ runs0: runs([run(1, LINT, { status: "DONE" })]) })])],
    [
      "an unknown conclusion",
      answer([suite({ runs0: runs([run(1, LINT, { conclusion: "PASSED" })]) })]),
    ],
    [
      "no annotation count",
      answer([suite({ runs0: runs([run(1, LINT, { annotations: null })]) })]),
    ],
    ["no summary field", answer([suite({ runs0: runs([run(1, LINT, { summary: undefined })]) })])],
    ["no url", answer([suite({ runs0: runs([run(1, LINT, { url: null })]) })])],
    ["one run twice", answer([suite(), suite()])],
  ])("%s", (_name, raw) => {
    expect(headRunsOf(raw, HEAD, REPO_ID)).toBeNull();
  });
});
