/**
 * A slow evaluation's check runs (src/github/checks/write.ts writeSlowly): started in one mutation
 * request (batch-create.ts) and completed in one (batch-update.ts). What it sends, and the ways
 * the completion can go wrong: a field that fails beside one that worked (and its REST fallback
 * failing too), an answer lost (an annotation batch never shown twice), an answer with errors and
 * no data, a mutation that fails every attempt, GitHub unable to say whether a batch took effect,
 * and an older slow evaluation finishing after a newer one. Never a run left in progress.
 */
import { describe, expect, test } from "@jest/globals";
import { schema as githubSchema } from "@octokit/graphql-schema";
import { buildSchema, graphqlSync, parse, validate } from "graphql";
import type { Logger } from "probot";
import { updateRunInput, updateRunsMutation } from "../../src/github/checks/batch-update.js";
import type { Generation } from "../../src/github/checks/in-flight.js";
import type { CheckDefinition, CheckResult } from "../../src/github/checks/types.js";
import { writeSlowly, type Writing } from "../../src/github/checks/write.js";
import type { GitHubClient } from "../../src/github/client.js";
import { createClientFactory } from "../../src/github/octokit.js";
import type { PullRequestInfo } from "../../src/github/pull-request.js";
import type { ReviewEnv } from "../../src/github/review.js";
import type { FakeCheckRun, FakeRepo } from "../support/fake-github.mjs";
import {
  APP_ID,
  APPROVAL,
  ATTEMPTS,
  describeCall,
  FAST_REQUESTS,
  type Harness,
  LINT,
  mergedMigrations,
  mutationCreates,
  pullRequestEvent,
  useHarness,
} from "./harness.js";

let h: Harness;
/** The slow path, forced: the runs start before the evaluation (the replay is not what is tested). */
const SLOW = { app: { pendingAfterMs: 0, replay: false } };
const OWNER = "Codertocat";
const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
// Findings: the lint run's completion carries annotations (a batch that must never show twice).
const MIGRATION = {
  "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\nDROP TABLE t1;\n",
  "migrations/0002_t2.down.sql": "DROP TABLE t2;\n",
};
const README = { "README.md": "# changed\n" };
const RUN_REST = /^\/repos\/[^/]+\/[^/]+\/check-runs(\/\d+)?$/;
const UPDATE = /^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/;
const queryOf = (e: { body?: unknown }) => String((e.body as { query?: unknown })?.query ?? "");

interface Setup {
  repo: FakeRepo;
  headSha: string;
  number: number;
}

function setup(change: Record<string, string>): Setup {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: {
      ".github/migration-warden.yml": CONFIG,
      "README.md": "# Hello\n",
      ...mergedMigrations(1),
    },
  });
  const headSha = repo.commit({ parent: base, files: change, author: "dev" });
  const number = repo.openPullRequest({ number: 2, base: "master", head: headSha, user: "dev" });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  return { repo, headSha, number };
}

async function event(s: Setup, action = "opened"): Promise<void> {
  h.fake.clearRequests();
  await h.receive("pull_request", pullRequestEvent(action, s.repo, s.number));
}

const starts = () =>
  h.fake.requests.filter((r) => r.path === "/graphql" && /createCheckRun/.test(queryOf(r)));
const completions = () =>
  h.fake.requests.filter((r) => r.path === "/graphql" && /updateCheckRun/.test(queryOf(r)));
/** REST writes of check runs (method and the run's name). */
function restWrites(): string[] {
  return h.fake.requests
    .filter((r) => r.method !== "GET" && RUN_REST.test(r.path))
    .map((r) => {
      const id = /\/check-runs\/(\d+)$/.exec(r.path)?.[1];
      const name = id
        ? h.fake.checkRuns.find((c) => c.id === Number(id))?.name
        : (r.body as { name: string }).name;
      return `${r.method} ${name}`;
    });
}

function newest(name: string): FakeCheckRun {
  const r = h.runs(name).at(-1);
  if (!r) throw new Error(`no ${name} run`);
  return r;
}

/** Exactly one run of each check, none left in progress, no annotation shown twice. */
function expectWhole(): void {
  for (const name of [LINT, APPROVAL]) {
    expect(h.runs(name)).toHaveLength(1);
    expect(newest(name).status).toBe("completed");
    const shown = newest(name).annotations.map((a) => JSON.stringify(a));
    expect(new Set(shown).size).toBe(shown.length);
  }
}

describe("the completion mutation document", () => {
  const schema = buildSchema(githubSchema.idl, { assumeValidSDL: true });
  test("validates against GitHub's schema, and so do its inputs", () => {
    const input = updateRunInput("R_1", "CR_1", {
      owner: "o",
      repo: "r",
      check_run_id: 1,
      status: "completed",
      conclusion: "action_required",
      external_id: "mw-approval/2;pr=2",
      actions: [{ label: "Approve migrations", description: "d", identifier: "approve" }],
      output: {
        title: "t",
        summary: "s",
        text: "x",
        annotations: [
          {
            path: "a.sql",
            start_line: 1,
            end_line: 1,
            annotation_level: "failure",
            message: "m",
          },
        ],
      },
    })!;
    expect(input).toMatchObject({ repositoryId: "R_1", checkRunId: "CR_1", status: "COMPLETED" });
    expect(input).not.toHaveProperty("name");
    expect(input).not.toHaveProperty("headSha");
    for (const count of [1, 2]) {
      const doc = updateRunsMutation(count);
      expect(validate(schema, parse(doc)).map((e) => e.message)).toEqual([]);
      const result = graphqlSync({
        schema,
        source: doc,
        variableValues: Object.fromEntries(
          Array.from({ length: count }, (_, i) => [`u${i}`, input]),
        ),
        rootValue: { updateCheckRun: () => ({ checkRun: null }) },
      });
      expect(result.errors ?? []).toEqual([]);
    }
  });

  test("a body GraphQL cannot carry goes by REST", () => {
    const p = { owner: "o", repo: "r", check_run_id: 1, output: { title: "t", summary: "s" } };
    expect(updateRunInput("R_1", "CR_1", { ...p, completed_at: "2026-01-01T00:00:00Z" })).toBe(
      null,
    );
    expect(updateRunInput("R_1", "CR_1", { ...p, output: { summary: "s" } })).toBe(null);
  });
});

describe("a slow evaluation's requests", () => {
  useHarness((created) => (h = created), SLOW);

  test("a new migration head: one mutation starts both runs, one completes them, no REST write", async () => {
    const s = setup(MIGRATION);
    await event(s);
    const calls = h.fake.requests
      .filter((r) => !r.path.endsWith("/access_tokens"))
      .map((r) => describeCall(r));
    expect(calls.filter((c) => c === "POST /graphql")).toHaveLength(4);
    expect(calls.filter((c) => / \/repos\/.*\/check-runs/.test(c) && !c.startsWith("GET"))).toEqual(
      [],
    );
    expect(restWrites()).toEqual([]);
    expect(starts()).toHaveLength(1);
    expect(completions()).toHaveLength(1);
    // The harness reads them back as the REST bodies they stand for.
    expect(mutationCreates(h.fake, starts()[0]!).map((c) => [c.body.name, c.body.status])).toEqual([
      [LINT, "in_progress"],
      [APPROVAL, "in_progress"],
    ]);
    const completed = mutationCreates(h.fake, completions()[0]!);
    expect(completed.map((c) => [c.method, c.path])).toEqual([
      ["PATCH", `/repos/${OWNER}/Hello-World/check-runs/${newest(LINT).id}`],
      ["PATCH", `/repos/${OWNER}/Hello-World/check-runs/${newest(APPROVAL).id}`],
    ]);
    expect(h.checkRunBodies(LINT).map((b) => b.method)).toEqual(["POST", "PATCH"]);
    expectWhole();
    expect(newest(LINT).annotations.length).toBeGreaterThan(0);
    expect(newest(APPROVAL).conclusion).toBe("action_required");
    expect(newest(APPROVAL).actions.map((a) => a.identifier)).toEqual(["approve"]);
  });

  test("passing results: one look at the app's runs for both, between evaluation and completion", async () => {
    const s = setup(README);
    await event(s);
    const calls = h.fake.requests.map((r) => describeCall(r));
    const listings = calls.filter((c) => c.includes(`/commits/${s.headSha}/check-runs?`));
    expect(listings).toEqual([
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
    ]);
    expect(calls.lastIndexOf(listings[0]!)).toBeLessThan(calls.lastIndexOf("POST /graphql"));
    expectWhole();
    expect([newest(LINT).conclusion, newest(APPROVAL).conclusion]).toEqual(["success", "success"]);
  });
});

describe("a completion that goes wrong", () => {
  useHarness((created) => (h = created), SLOW);

  test("one field fails beside one that worked: that run is completed by REST", async () => {
    const s = setup(MIGRATION);
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenUpdateCheckRuns",
      updateError: /lint/,
    });
    await event(s);
    expect(completions()).toHaveLength(1);
    // Its batch is looked for first (the field's error does not prove it did nothing), then sent.
    expect(restWrites()).toEqual([`PATCH ${LINT}`]);
    expect(h.calls()).toContain(`GET /repos/${OWNER}/Hello-World/check-runs/${newest(LINT).id}`);
    expectWhole();
    expect(newest(LINT).conclusion).toBe("failure");
    expect(newest(LINT).output.title).not.toMatch(/could not|went wrong/i);
    expect(newest(APPROVAL).conclusion).toBe("action_required");
  });

  test("a field fails and so does every REST attempt: the run ends as failure with the reason, never in progress", async () => {
    const s = setup(README);
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenUpdateCheckRuns",
      updateError: /approval/,
    });
    h.fake.failNext({
      method: "PATCH",
      path: UPDATE,
      status: 500,
      times: ATTEMPTS,
      message: "updates down",
    });
    await event(s);
    expectWhole();
    expect(newest(LINT).conclusion).toBe("success");
    expect(newest(APPROVAL).conclusion).toBe("failure");
    expect(newest(APPROVAL).output.summary).toContain("updates down");
  });

  test("the answer lost after GitHub carried it out: the batch is found, the rest sent again", async () => {
    const s = setup(MIGRATION);
    h.lose("POST", /^\/graphql$/, { body: /updateCheckRun/ });
    await event(s);
    // Lint carried annotations: its count says the batch is there (adopted); approval carried
    // none: the same body again.
    expect(completions()).toHaveLength(2);
    expect(mutationCreates(h.fake, completions()[1]!).map((c) => c.path)).toEqual([
      `/repos/${OWNER}/Hello-World/check-runs/${newest(APPROVAL).id}`,
    ]);
    expect(restWrites()).toEqual([]);
    expectWhole();
    expect(newest(LINT).conclusion).toBe("failure");
    expect(newest(APPROVAL).conclusion).toBe("action_required");
  });

  test("lost, and GitHub cannot say whether the batch took effect: failure, never a pass", async () => {
    const s = setup(MIGRATION);
    h.lose("POST", /^\/graphql$/, { body: /updateCheckRun/ });
    h.fake.failNext({
      method: "GET",
      path: /^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/,
      status: 500,
      times: ATTEMPTS * 2,
      message: "reads down",
    });
    await event(s);
    for (const name of [LINT, APPROVAL]) {
      expect(h.runs(name)).toHaveLength(1);
      expect(newest(name).status).toBe("completed");
      expect(newest(name).conclusion).not.toBe("success");
    }
  });

  test("an answer with errors and no data: every completion by REST, each batch once", async () => {
    const s = setup(MIGRATION);
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenUpdateCheckRuns",
      error: "Something went wrong",
    });
    await event(s);
    expect(restWrites()).toEqual([`PATCH ${LINT}`, `PATCH ${APPROVAL}`]);
    expectWhole();
    expect(newest(APPROVAL).conclusion).toBe("action_required");
  });

  test("a completion mutation that fails every attempt: each run completed by REST as failure", async () => {
    const s = setup(README);
    const dropped = h.drop("POST", /^\/graphql$/, { body: /updateCheckRun/, times: ATTEMPTS });
    await event(s);
    expect(dropped.count).toBe(ATTEMPTS);
    expect(restWrites()).toEqual([`PATCH ${LINT}`, `PATCH ${APPROVAL}`]);
    expectWhole();
    expect([newest(LINT).conclusion, newest(APPROVAL).conclusion]).toEqual(["failure", "failure"]);
  });

  test("a start field that fails: the started run completed as failure, the other reported; no pass", async () => {
    const s = setup(README);
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenCreateCheckRuns",
      createError: /approval/,
    });
    h.fake.failNext({
      method: "POST",
      path: /^\/repos\/[^/]+\/[^/]+\/check-runs$/,
      status: 500,
      times: ATTEMPTS,
      message: "creates down",
    });
    await event(s);
    expect(h.runs(LINT).map((r) => [r.status, r.conclusion])).toEqual([["completed", "failure"]]);
    expect(h.runs(APPROVAL).map((r) => [r.status, r.conclusion])).toEqual([
      ["completed", "failure"],
    ]);
    expect(newest(APPROVAL).output.summary).toContain("creates down");
    for (const r of h.fake.checkRuns) expect(r.status).not.toBe("in_progress");
  });
});

describe("an older slow evaluation finishing after a newer one", () => {
  useHarness((created) => (h = created), { app: { replay: false } });
  const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
  const alone: Generation = { seq: 1, keys: [], superseded: () => null };
  const check = {
    name: APPROVAL,
    pending: { title: "Checking approvals…", summary: "reading" },
  } as unknown as CheckDefinition;
  const pass: CheckResult = { conclusion: "success", title: "Approved by @alice", summary: "ok" };
  const block: CheckResult = {
    conclusion: "action_required",
    title: "Waiting for DBA approval (0 of 1)",
    summary: "the approval was dismissed",
  };

  test("its pass ends superseded, completed in the mutation, never in progress", async () => {
    const s = setup(README);
    const base = (await h.probot.auth(h.fake.installationId)) as unknown as GitHubClient;
    const octokit = createClientFactory(FAST_REQUESTS)({
      octokit: base,
      payload: { installation: { id: h.fake.installationId } },
    });
    const env = { octokit, log: silent } as unknown as ReviewEnv;
    const repo = { owner: OWNER, repo: "Hello-World" };
    const pr = {
      ...repo,
      number: 2,
      headSha: s.headSha,
      baseRepoNodeId: `R_${s.repo.id}`,
    } as PullRequestInfo;
    const writing = (startedAt: number): Writing => ({
      env,
      repo,
      pr,
      startedAt,
      appId: APP_ID,
      generation: alone,
      log: silent,
      outcome: { target: pr, conclusions: {}, requests: 0 },
    });
    const now = Date.now();
    let evaluate!: () => void;
    const evaluatedOlder = new Promise<void>((resolve) => (evaluate = resolve));
    const older = writeSlowly(writing(now - 1000), [check], async () => {
      await evaluatedOlder;
      return { result: async () => pass };
    });
    // The older one's run is started; the newer one starts and ends meanwhile.
    while (h.runs(APPROVAL).length === 0) await new Promise((r) => setTimeout(r, 5));
    await writeSlowly(writing(now), [check], async () => ({ result: async () => block }));
    evaluate();
    await older;
    const runs = h.runs(APPROVAL);
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.conclusion)).not.toContain("success");
    expect(runs[0]!.output.title).toBe("Superseded by a newer check run");
    expect(runs[1]!.conclusion).toBe("action_required");
    expect(runs.map((r) => r.status)).not.toContain("in_progress");
    // Both evaluations started and completed through the mutations.
    expect(starts()).toHaveLength(2);
    expect(completions()).toHaveLength(2);
    expect(restWrites()).toEqual([]);
  });
});
