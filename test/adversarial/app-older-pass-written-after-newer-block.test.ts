/**
 * Two evaluations of one head in different processes (two workers: a pull request's job and a
 * check suite's job are in different queue groups; in-flight.ts only knows its own process). The
 * older one saw a pass and has listed the commit's runs; the newer one saw a block and writes it;
 * then the older one creates its pass. GitHub shows the newest run: the stale pass, over the
 * newer evaluation's block. The older evaluation must look again after writing a pass, and end it
 * as superseded when a newer evaluation's run is there.
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
  APP_ID,
  APPROVAL,
  FAST_REQUESTS,
  helloWorld,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/** Another process's view: no evaluation of its own is newer. */
const alone: Generation = { seq: 1, keys: [], superseded: () => null };

const check = { name: APPROVAL } as unknown as CheckDefinition;
const pass: CheckResult = { conclusion: "success", title: "Approved by @alice", summary: "ok" };
const block: CheckResult = {
  conclusion: "action_required",
  title: "Waiting for DBA approval (0 of 1)",
  summary: "the approval was dismissed",
};

describe("an older evaluation's pass written after a newer one's block (another process)", () => {
  test("does not stay the newest run: it ends superseded", async () => {
    const { headSha } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
    const base = (await h.probot.auth(h.fake.installationId)) as unknown as GitHubClient;
    const octokit = createClientFactory(FAST_REQUESTS)({
      octokit: base,
      payload: { installation: { id: h.fake.installationId } },
    });
    const env = { octokit, log: silent } as unknown as ReviewEnv;
    const repo = { owner: "Codertocat", repo: "Hello-World" };
    const pr = { owner: "Codertocat", repo: "Hello-World", number: 2, headSha } as PullRequestInfo;
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

    // The older evaluation has listed the runs (none newer) and is about to create its pass.
    const create = h.pause("POST", /\/check-runs$/);
    const older = writeResults(writing(now - 1000), [check], [{ check, result: pass }]);
    await create.reached;
    // The newer evaluation, which saw the approval dismissed, writes its block meanwhile.
    await writeResults(writing(now), [check], [{ check, result: block }]);
    create.resume();
    await older;

    const runs = h.runs(APPROVAL);
    expect(runs).toHaveLength(2);
    const newest = runs.reduce((a, r) => (r.id > a.id ? r : a));
    // Whichever GitHub ranks as the latest, no run of this check passes.
    expect(runs.map((r) => r.conclusion)).not.toContain("success");
    expect(newest.status).toBe("completed");
  });
});
