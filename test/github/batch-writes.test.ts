/**
 * One evaluation's check runs in one GraphQL mutation request (src/github/checks/batch-create.ts):
 * what it sends (validated against GitHub's schema, carrying everything the REST body did), how
 * many requests a pull request costs, and the ways it can go wrong: a field that fails beside one
 * that worked, an answer lost (whole, or after only some fields took effect), a mutation that
 * fails for good, an older evaluation in another process racing a newer one, and a click on a run
 * the mutation created.
 */
import { describe, expect, test } from "@jest/globals";
import { executionErrors, schemaErrors } from "../support/github-schema.js";
import { createRunInput, createRunsMutation } from "../../src/github/checks/batch-create.js";
import { runMarker } from "../../src/github/checks/uncertain-writes.js";
import { DEFAULT_PENDING_AFTER_MS } from "../../src/github/review.js";
import {
  dbaPullRequest,
  DROPPING_MIGRATION as MIGRATION,
  newestRun,
  newTables,
  olderPassAfterNewerBlock,
  otherProcess,
  OWNER,
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
  clickEvent,
  describeCall,
  type Harness,
  LINT,
  mutationCreates,
  pullRequestEvent,
  useHarness,
} from "./harness.js";

let h: Harness;
const QUICK = { app: { pendingAfterMs: 20 * DEFAULT_PENDING_AFTER_MS, replay: false } };
const CREATE = /^\/repos\/[^/]+\/[^/]+\/check-runs$/;
const IS_MUTATION = (e: { body?: unknown }) => /createCheckRun/.test(JSON.stringify(e.body ?? ""));

function setup(change: Record<string, string>): Setup {
  return dbaPullRequest(h.fake, change);
}

async function event(s: Setup, action = "opened"): Promise<void> {
  h.fake.clearRequests();
  await h.receive("pull_request", pullRequestEvent(action, s.repo, s.number));
}

/** The check-run mutation requests sent (the lost and failed ones included). */
function mutations() {
  return h.fake.requests.filter((r) => r.path === "/graphql" && IS_MUTATION(r));
}

/** REST check-run creates sent. */
function restCreates(): string[] {
  return h.fake.requests
    .filter((r) => r.method === "POST" && CREATE.test(r.path))
    .map((r) => (r.body as { name: string }).name);
}

function newest(name: string) {
  return newestRun(h, name);
}

/** No run left in progress, and exactly `count` runs of each check. */
function expectWhole(count = 1): void {
  for (const name of [LINT, APPROVAL]) {
    expect(h.runs(name)).toHaveLength(count);
    expect(h.runs(name).map((r) => r.status)).not.toContain("in_progress");
  }
}

// Everything a REST create body of this app can carry.
const full = {
  owner: "o",
  repo: "r",
  name: APPROVAL,
  head_sha: "a".repeat(40),
  external_id: "mw-approval/1;pr=2",
  details_url: "https://example.com/details",
  status: "completed" as const,
  conclusion: "action_required" as const,
  actions: [
    { label: "Approve migrations", description: "Approve as a DBA", identifier: "approve" },
  ],
  output: {
    title: "Waiting",
    summary: `s\n\n${runMarker()}`,
    text: "t",
    annotations: [
      {
        path: "migrations/0002_t2.up.sql",
        start_line: 2,
        end_line: 2,
        start_column: 1,
        end_column: 14,
        annotation_level: "failure" as const,
        message: "m",
        title: "drop-table",
        raw_details: "d",
      },
      {
        path: "a.sql",
        start_line: 1,
        end_line: 3,
        annotation_level: "notice" as const,
        message: "n",
      },
    ],
  },
};

describe("the mutation document", () => {
  test("validates against GitHub's schema, and so do its inputs", () => {
    for (const count of [1, 2, 3]) {
      const doc = createRunsMutation(count);
      expect(schemaErrors(doc)).toEqual([]);
      const input = createRunInput("R_1", full)!;
      const variableValues = Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`c${i}`, input]),
      );
      expect(
        executionErrors(doc, variableValues, { createCheckRun: () => ({ checkRun: null }) }),
      ).toEqual([]);
    }
  });

  test("a body with a field GraphQL cannot carry goes by REST", () => {
    expect(createRunInput("R_1", { ...full, started_at: "2026-01-01T00:00:00Z" })).toBeNull();
    expect(
      createRunInput("R_1", {
        ...full,
        output: { ...full.output, images: [{ alt: "a", image_url: "https://x/y.png" }] },
      }),
    ).toBeNull();
  });
});

describe("requests per event", () => {
  useHarness((created) => (h = created), QUICK);

  test("a new head touching no migration: the first query, one mutation, the look after", async () => {
    const s = setup(README);
    await event(s);
    expect(mutations()).toHaveLength(1);
    // A new head (what a cold process reads once per branch already read): three requests.
    const head = s.repo.commit({ parent: s.headSha, files: { "README.md": "# again\n" } });
    s.repo.pushToPullRequest(s.number, head);
    s.headSha = head;
    await event(s, "synchronize");
    const after = h.fake.requests
      .filter((r) => !r.path.endsWith("/access_tokens"))
      .map((r) => describeCall(r));
    expect(after).toEqual([
      "POST /graphql",
      "POST /graphql",
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?app_id=${APP_ID}&filter=all&per_page=100`,
    ]);
    expect(mutations().flatMap((r) => mutationCreates(h.fake, r).map((c) => c.body.name))).toEqual([
      LINT,
      APPROVAL,
    ]);
    expect(restCreates()).toEqual([]);
    expectWhole(2);
    expect(h.schemaErrors()).toEqual([]);
  });

  test("the pull request read by REST (first query failed): the node id comes from it", async () => {
    const s = setup(README);
    h.fake.graphqlFault({ executed: true, operation: "MigrationWardenPullRequest", error: "down" });
    await event(s);
    expect(h.calls()).toContain(`GET /repos/${OWNER}/Hello-World/pulls/2`);
    expect(mutations()).toHaveLength(1);
    expect(restCreates()).toEqual([]);
    expectWhole();
  });
});

describe("what the mutation carries", () => {
  useHarness((created) => (h = created), QUICK);
  test("carries everything the REST body does (the fake turns it back into that body)", () => {
    h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
    const id = `R_${h.fake.repo(OWNER, "Hello-World").id}`;
    const { owner: _o, repo: _r, ...rest } = full;
    expect(h.fake.restCreateOf(createRunInput(id, full)).body).toEqual(rest);
  });
});

describe("a mutation that goes wrong", () => {
  useHarness((created) => (h = created), QUICK);

  test("one field fails beside one that worked: that one is written, the other by REST", async () => {
    const s = setup(README);
    fieldFails(h, "create", /approval/);
    await event(s);
    expect(mutations()).toHaveLength(1);
    // Asked first (the field's error does not prove it did nothing), then created.
    expect(restCreates()).toEqual([APPROVAL]);
    expectWhole();
    expect([newest(LINT).conclusion, newest(APPROVAL).conclusion]).toEqual(["success", "success"]);
  });

  test("a field fails and so does every REST attempt: reported as failure, never a pass", async () => {
    const s = setup(README);
    fieldFails(h, "create", /approval/);
    restWritesFail(h, "POST", "creates down");
    await event(s);
    expect(newest(LINT).conclusion).toBe("success");
    expect(h.runs(APPROVAL).map((r) => r.conclusion)).toEqual(["failure"]);
    expect(newest(APPROVAL).output.summary).toContain("creates down");
  });

  test("an answer with errors and no data at all: every run by REST, once each", async () => {
    const s = setup(README);
    mutationAnswersNoData(h, "create");
    await event(s);
    expect(restCreates()).toEqual([LINT, APPROVAL]);
    expectWhole();
  });

  test("the answer lost after GitHub carried it out: both adopted, nothing sent twice", async () => {
    const s = setup(README);
    h.lose("POST", /^\/graphql$/, { body: /createCheckRun/ });
    await event(s);
    expect(mutations()).toHaveLength(1);
    expect(restCreates()).toEqual([]);
    expectWhole();
    expect([newest(LINT).conclusion, newest(APPROVAL).conclusion]).toEqual(["success", "success"]);
  });

  test("the answer lost after only the first field took effect: it is adopted, the other sent again", async () => {
    const s = setup(README);
    fieldFails(h, "create", /approval/);
    h.lose("POST", /^\/graphql$/, { body: /createCheckRun/ });
    await event(s);
    expect(mutations()).toHaveLength(2);
    expect(mutationCreates(h.fake, mutations()[1]!).map((c) => c.body.name)).toEqual([APPROVAL]);
    expectWhole();
  });

  test("a lost answer of a run with more than 50 annotations: adopted, then completed", async () => {
    const s = setup(newTables(62));
    h.lose("POST", /^\/graphql$/, { body: /createCheckRun/ });
    await event(s);
    expect(mutations()).toHaveLength(1);
    expectWhole();
    expect(newest(LINT).annotations).toHaveLength(60);
  });

  test("dropped before it reached GitHub: asked, then sent again, created once", async () => {
    const s = setup(README);
    h.drop("POST", /^\/graphql$/, { body: /createCheckRun/ });
    await event(s);
    expect(mutations()).toHaveLength(1);
    expect(h.calls()).toContain(
      `GET /repos/${OWNER}/Hello-World/commits/${s.headSha}/check-runs?filter=all&per_page=100&app_id=${APP_ID}`,
    );
    expectWhole();
  });

  test("lost, and GitHub cannot say whether it created them: nothing sent again, reported failed", async () => {
    const s = setup(README);
    h.lose("POST", /^\/graphql$/, { body: /createCheckRun/ });
    h.fake.failNext({
      method: "GET",
      path: /\/commits\/[0-9a-f]{40}\/check-runs$/,
      status: 502,
      times: 10,
    });
    await event(s);
    expect(mutations()).toHaveLength(1);
    for (const name of [LINT, APPROVAL]) {
      // The lost mutation's run, then the failure report newer than it: GitHub shows the failure.
      expect(h.runs(name).map((r) => r.conclusion)).toEqual(["success", "failure"]);
      expect(h.runs(name).map((r) => r.status)).not.toContain("in_progress");
    }
  });

  test("an answer that will not change by asking again (422): reported at once, not retried", async () => {
    const s = setup(README);
    h.fake.failNext({
      method: "POST",
      path: /^\/graphql$/,
      match: IS_MUTATION,
      status: 422,
      message: "Unprocessable",
    });
    await event(s);
    expect(mutations()).toHaveLength(1);
    for (const name of [LINT, APPROVAL])
      expect(h.runs(name).map((r) => r.conclusion)).toEqual(["failure"]);
  });

  test("a mutation that fails every attempt: each check reported as failure with the reason", async () => {
    const s = setup(README);
    h.fake.failNext({
      method: "POST",
      path: /^\/graphql$/,
      match: IS_MUTATION,
      status: 502,
      times: ATTEMPTS,
      message: "mutations down",
    });
    await event(s);
    expect(mutations()).toHaveLength(ATTEMPTS);
    for (const name of [LINT, APPROVAL]) {
      expect(h.runs(name).map((r) => r.conclusion)).toEqual(["failure"]);
      expect(newest(name).output.summary).toContain("mutations down");
    }
  });

  test("more annotations than one create carries never go in one field (GitHub drops them silently)", async () => {
    const s = setup(newTables(62));
    await event(s);
    const [lint] = mutationCreates(h.fake, mutations()[0]!);
    expect((lint!.body.output as { annotations: unknown[] }).annotations).toHaveLength(50);
    expect(newest(LINT).annotations).toHaveLength(60);
    expect(newest(LINT).history.map((x) => x.status)).toEqual(["in_progress", "completed"]);
  });
});

describe("the click button on a run the mutation created", () => {
  useHarness((created) => (h = created), QUICK);

  test("carries the action, and a click on it is judged", async () => {
    const s = setup(MIGRATION);
    await event(s);
    const run = newest(APPROVAL);
    expect(restCreates()).toEqual([]);
    expect(run.actions.map((a: { identifier: string }) => a.identifier)).toEqual(["approve"]);
    h.fake.clearRequests();
    await h.receive("check_run", clickEvent(h.fake, run, "alice"));
    expect(newest(APPROVAL).conclusion).toBe("success");
    expect(newest(APPROVAL).external_id).toMatch(/;by=alice;/);
    expect(mutations()).toHaveLength(1);
  });
});

describe("an older evaluation racing a newer one in another process", () => {
  useHarness((created) => (h = created), { app: { replay: false } });
  test("the older pass written by the mutation after the newer block ends superseded", async () => {
    const s = setup(README);
    const baseRepoNodeId = `R_${s.repo.id}`;
    const { writing } = await otherProcess(h, { headSha: s.headSha, baseRepoNodeId });
    await olderPassAfterNewerBlock(h, writing, { path: /^\/graphql$/, body: /createCheckRun/ });
    const runs = h.runs(APPROVAL);
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.conclusion)).not.toContain("success");
    expect(newest(APPROVAL).output.title).toBe("Superseded by a newer check run");
    expect(runs.map((r) => r.status)).not.toContain("in_progress");
    // Both evaluations wrote through the mutation.
    expect(mutations()).toHaveLength(2);
  });
});
