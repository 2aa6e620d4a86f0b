/**
 * A check-run mutation answered with data AND errors: the run was created (databaseId), but a
 * part of what the writer selected could not be read, so GitHub answers it null with an error at
 * its path (here the run's check suite, which names the app that created it). The REST create
 * this mutation replaced always answered the app.
 *
 * The look after writing (write.ts endPassesHidingNewer) finds a newer evaluation's run by this
 * app's id: the run's app as the create answered it, else the app id of the credentials. In a
 * token-only setup (GITHUB_TOKEN, no APP_ID: ownAppId cannot say) the run's app is the only one
 * there is. Without it the pass was never looked after: an older evaluation's pass written after
 * a newer one's block (another process) stayed the newest run, and the check passed.
 */
import { describe, expect, test } from "@jest/globals";
import type { Logger } from "probot";
import type { Generation } from "../../src/github/checks/in-flight.js";
import type { CheckDefinition, CheckResult } from "../../src/github/checks/types.js";
import { writeResults, type Writing } from "../../src/github/checks/write.js";
import type { GitHubClient } from "../../src/github/client.js";
import { createClientFactory } from "../../src/github/octokit.js";
import type { PullRequestInfo } from "../../src/github/pull-request.js";
import type { ReviewEnv } from "../../src/github/review.js";
import {
  APPROVAL,
  FAST_REQUESTS,
  helloWorld,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
const alone: Generation = { seq: 1, keys: [], superseded: () => null };
const check = { name: APPROVAL } as unknown as CheckDefinition;
const pass: CheckResult = { conclusion: "success", title: "Approved by @alice", summary: "ok" };
const block: CheckResult = {
  conclusion: "action_required",
  title: "Waiting for DBA approval (0 of 1)",
  summary: "the approval was dismissed",
};

type Answer = {
  data?: Record<string, { checkRun?: Record<string, unknown> | null } | null> | null;
  errors?: unknown[];
};

/** Every check-run mutation answers its runs' check suite null, with an error at its path. */
function withoutSuites(octokit: GitHubClient): void {
  octokit.hook.after("request", (response, options) => {
    if (!/createCheckRun/.test(String((options as { query?: unknown }).query ?? ""))) return;
    const answer = response.data as Answer;
    for (const [alias, field] of Object.entries(answer.data ?? {})) {
      if (!field?.checkRun) continue;
      field.checkRun.checkSuite = null;
      (answer.errors ??= []).push({
        type: "FORBIDDEN",
        path: [alias, "checkRun", "checkSuite"],
        message: "Resource not accessible by integration",
      });
    }
  });
}

describe("a check-run mutation answered without the app that created the run", () => {
  test("token-only: an older pass written after a newer block does not stay the newest run", async () => {
    const { headSha } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
    const base = (await h.probot.auth(h.fake.installationId)) as unknown as GitHubClient;
    const octokit = createClientFactory(FAST_REQUESTS)({
      octokit: base,
      payload: { installation: { id: h.fake.installationId } },
    });
    withoutSuites(octokit);
    const env = { octokit, log: silent } as unknown as ReviewEnv;
    const repo = { owner: "Codertocat", repo: "Hello-World" };
    const pr = {
      ...repo,
      number: 2,
      headSha,
      baseRepoNodeId: `R_${h.fake.repo("Codertocat", "Hello-World").id}`,
    } as PullRequestInfo;
    const writing = (startedAt: number): Writing => ({
      env,
      repo,
      pr,
      startedAt,
      // Token-only: the credentials name no app.
      appId: null,
      generation: alone,
      log: silent,
      outcome: { target: pr, conclusions: {}, requests: 0 },
    });
    const now = Date.now();
    const create = h.pause("POST", /^\/graphql$/, /createCheckRun/);
    const older = writeResults(writing(now - 1000), [check], [{ check, result: pass }]);
    await create.reached;
    await writeResults(writing(now), [check], [{ check, result: block }]);
    create.resume();
    await older;

    const runs = h.runs(APPROVAL);
    // Each evaluation's run created once (the one answered without its app adopted by marker).
    expect(runs).toHaveLength(2);
    const newest = runs.reduce((a, r) => (r.id > a.id ? r : a));
    expect(newest.conclusion).not.toBe("success");
    expect(runs.map((r) => r.status)).not.toContain("in_progress");
  });
});
