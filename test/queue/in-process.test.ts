/**
 * The queue as the server runs it without REDIS_URL (queuedApp: intake and the in-memory queue in
 * one Probot app), and what a job that fails for good writes to GitHub, against the fake GitHub
 * behind nock (test/github/harness.ts).
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { setTimeout as sleep } from "node:timers/promises";
import { until } from "../support/until.js";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/app.js";
import { DEFAULT_QUEUE_POLICY } from "../../src/queue/queue.js";
import { queuedApp } from "../../src/queue/intake.js";
import { MemoryQueue } from "../../src/queue/memory.js";
import { probotJobHandlers, type Receiver } from "../../src/queue/process.js";
import {
  APP_ID,
  APPROVAL,
  clickEvent,
  createHarness,
  FAST_REQUESTS,
  finish,
  helloWorld,
  LINT,
  mergedMigrations,
  privateKey,
  pullRequestEvent,
  reviewEvent,
  type Harness,
} from "../github/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => finish(h));

const RISKY = { "migrations/0003_drop.up.sql": "DROP TABLE t1;\n" };

/** A Probot running the server's app (intake + in-memory queue), against the harness's fake. */
async function queuedProbot(): Promise<Probot> {
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    logLevel: "fatal",
    request: { fetch: h.transport },
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      throttle: { enabled: false },
    })),
  });
  await probot.load(
    queuedApp(createApp({ replay: false, requests: FAST_REQUESTS }), {
      settings: {
        redisUrl: null,
        policy: { ...DEFAULT_QUEUE_POLICY, retryDelayMs: 1 },
        replayConcurrency: 1,
        lockMs: 30_000,
      },
    }),
  );
  return probot;
}

describe("in-process queue (no REDIS_URL)", () => {
  test("a delivery is answered once queued, and evaluated once by the app's handlers", async () => {
    const { repo, number, headSha } = helloWorld(h.fake, mergedMigrations(2), RISKY);
    const probot = await queuedProbot();
    await probot.receive({
      id: "d-1",
      name: "pull_request",
      payload: pullRequestEvent("opened", repo, number),
    } as never);
    // receive() returned after queueing: the evaluation may not have written anything yet.
    const runs = await until("both checks completed", () => {
      const done = h.fake.checkRuns.filter((r) => r.status === "completed");
      return done.length === 2 && done;
    });
    await sleep(100);
    expect(runs.map((r) => [r.name, r.head_sha, r.conclusion])).toEqual([
      [LINT, headSha, "failure"],
      [APPROVAL, headSha, "action_required"],
    ]);
    // The queue handed the job to the handlers once; the intake did not queue it again.
    expect(h.fake.checkRuns).toHaveLength(2);
  });

  test("a burst of synchronize deliveries costs at most two evaluations", async () => {
    const { repo, number } = helloWorld(h.fake, mergedMigrations(2), RISKY);
    const probot = await queuedProbot();
    for (let i = 0; i < 6; i++)
      await probot.receive({
        id: `s-${i}`,
        name: "pull_request",
        payload: pullRequestEvent("synchronize", repo, number),
      } as never);
    await until("the last evaluation completed", () => {
      const runs = h.fake.checkRuns;
      return (
        runs.length > 0 && runs.every((r) => r.status === "completed") && runs.length % 2 === 0
      );
    });
    await sleep(300);
    expect(h.fake.checkRuns.filter((r) => r.name === LINT).length).toBeLessThanOrEqual(2);
  });
});

describe("a job that fails for good", () => {
  function receiver(fail: unknown): Receiver {
    return {
      receive: async () => {
        throw new AggregateError([fail], "handler failed");
      },
      auth: (id) => h.probot.auth(id) as never,
      log: h.probot.log,
    };
  }

  async function failForGood(event: string, payload: unknown) {
    const queue = new MemoryQueue({
      policy: { attempts: 2, retryDelayMs: 1 },
      log: { info() {}, warn() {}, error() {} },
    });
    const done = new Promise<void>((resolve) => {
      const handlers = probotJobHandlers(receiver(new Error("the app crashed on this payload")));
      queue.work({
        run: handlers.run,
        failed: async (job, reason) => {
          await handlers.failed(job, reason);
          resolve();
        },
      });
    });
    await queue.add({ id: "poison", name: event, payload });
    await done;
    await queue.close();
  }

  test("a pull request event: both checks end failure with the reason, on the payload's head", async () => {
    const { repo, number, headSha } = helloWorld(h.fake, mergedMigrations(2), RISKY);
    await failForGood("pull_request", pullRequestEvent("synchronize", repo, number));
    const runs = h.fake.checkRuns;
    expect(runs.map((r) => [r.name, r.head_sha, r.status, r.conclusion, r.external_id])).toEqual([
      [LINT, headSha, "completed", "failure", `Codertocat/Hello-World#${number}`],
      [APPROVAL, headSha, "completed", "failure", `Codertocat/Hello-World#${number}`],
    ]);
    expect(runs[0]!.output.summary).toContain("the app crashed on this payload");
  });

  test("a review or a click: the approval check alone ends failure", async () => {
    const { repo, number } = helloWorld(h.fake, mergedMigrations(2), RISKY);
    const id = repo.review(number, { user: "dba", state: "APPROVED" });
    await failForGood("pull_request_review", reviewEvent("submitted", repo, number, id));
    expect(h.fake.checkRuns.map((r) => [r.name, r.conclusion])).toEqual([[APPROVAL, "failure"]]);

    const run = h.fake.addCheckRun(repo, {
      name: APPROVAL,
      head_sha: repo.pullJSON(number).head.sha,
      external_id: `Codertocat/Hello-World#${number}`,
      conclusion: "action_required",
    });
    await failForGood("check_run", clickEvent(h.fake, run, "dba"));
    expect(h.fake.checkRuns.map((r) => [r.name, r.conclusion])).toEqual([
      [APPROVAL, "failure"],
      [APPROVAL, "action_required"],
      [APPROVAL, "failure"],
    ]);
  });

  test("runs a dead worker left in progress are ended first; another app's are not touched", async () => {
    const { repo, number, headSha } = helloWorld(h.fake, mergedMigrations(2), RISKY);
    const ours = h.fake.addCheckRun(repo, {
      name: LINT,
      head_sha: headSha,
      external_id: `Codertocat/Hello-World#${number}`,
      conclusion: null,
    });
    const theirs = h.fake.addCheckRun(repo, {
      appId: 999,
      name: LINT,
      head_sha: headSha,
      external_id: `Codertocat/Hello-World#${number}`,
      conclusion: null,
    });
    const handlers = probotJobHandlers({
      receive: async () => undefined,
      auth: (id) => h.probot.auth(id) as never,
      log: h.probot.log,
    });
    await handlers.run({
      id: "after-crash",
      name: "pull_request",
      payload: pullRequestEvent("synchronize", repo, number),
      jobId: "1",
      key: { group: "g", covers: ["lint", "approval"] },
      attempt: 1,
      stalls: 1,
    });
    expect([ours.status, ours.conclusion]).toEqual(["completed", "failure"]);
    expect(ours.output.summary).toContain("the worker evaluating this stopped before finishing");
    expect([theirs.status, theirs.conclusion]).toEqual(["in_progress", null]);
  });
});
