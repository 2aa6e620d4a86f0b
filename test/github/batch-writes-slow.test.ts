/**
 * A slow evaluation's check runs (src/github/checks/write.ts writeSlowly): started in one mutation
 * request (batch-create.ts) and completed in one (batch-update.ts). What it sends, and the ways
 * the completion can go wrong: a field that fails beside one that worked (and its REST fallback
 * failing too), an answer lost (an annotation batch never shown twice), an answer with errors and
 * no data, a mutation that fails every attempt, GitHub unable to say whether a batch took effect,
 * and an older slow evaluation finishing after a newer one. Never a run left in progress.
 */
import { describe, expect, test } from "@jest/globals";
import { executionErrors, schemaErrors } from "../support/github-schema.js";
import { updateRunInput, updateRunsMutation } from "../../src/github/checks/batch-update.js";
import type { CheckDefinition } from "../../src/github/checks/types.js";
import { writeSlowly } from "../../src/github/checks/write.js";
import {
  BLOCK as block,
  dbaPullRequest,
  DROPPING_MIGRATION,
  newestRun,
  otherProcess,
  OWNER,
  PASS as pass,
  type PullRequestSetup as Setup,
  README_CHANGE as README,
  fieldFails,
  mutationAnswersNoData,
  restWritesFail,
} from "./check-writes.js";
import {
  APP_ID,
  APPROVAL,
  ATTEMPTS,
  describeCall,
  type Harness,
  LINT,
  mutationCreates,
  pullRequestEvent,
  useHarness,
} from "./harness.js";

let h: Harness;
/** The slow path, forced: the runs start before the evaluation (the replay is not what is tested). */
const SLOW = { app: { pendingAfterMs: 0, replay: false } };
// Findings: the lint run's completion carries annotations (a batch that must never show twice).
const MIGRATION = DROPPING_MIGRATION;
const RUN_REST = /^\/repos\/[^/]+\/[^/]+\/check-runs(\/\d+)?$/;
const queryOf = (e: { body?: unknown }) => String((e.body as { query?: unknown })?.query ?? "");

function setup(change: Record<string, string>): Setup {
  return dbaPullRequest(h.fake, change);
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

function newest(name: string) {
  return newestRun(h, name);
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
      expect(schemaErrors(doc)).toEqual([]);
      const variableValues = Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`u${i}`, input]),
      );
      expect(
        executionErrors(doc, variableValues, { updateCheckRun: () => ({ checkRun: null }) }),
      ).toEqual([]);
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
    fieldFails(h, "update", /lint/);
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
    fieldFails(h, "update", /approval/);
    restWritesFail(h, "PATCH", "updates down");
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
    mutationAnswersNoData(h, "update");
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
    fieldFails(h, "create", /approval/);
    restWritesFail(h, "POST", "creates down");
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
  const check = {
    name: APPROVAL,
    pending: { title: "Checking approvals…", summary: "reading" },
  } as unknown as CheckDefinition;

  test("its pass ends superseded, completed in the mutation, never in progress", async () => {
    const s = setup(README);
    const baseRepoNodeId = `R_${s.repo.id}`;
    const { writing } = await otherProcess(h, { headSha: s.headSha, baseRepoNodeId });
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
