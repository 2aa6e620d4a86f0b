/**
 * What the tests of the registry of evaluations in progress share (in-flight-writes.test.ts and
 * the adversarial app-inflight-* files): one pull request's approval run written by the real
 * writer (checks/write.ts) as an evaluation of another process would write it, and the results
 * it writes.
 */
import type { Logger } from "probot";
import type { Generation, InFlightEntry } from "../../src/github/checks/in-flight.js";
import type { CheckDefinition, CheckResult } from "../../src/github/checks/types.js";
import type { Writing } from "../../src/github/checks/write.js";
import type { GitHubClient } from "../../src/github/client.js";
import { createClientFactory } from "../../src/github/octokit.js";
import type { PullRequestInfo } from "../../src/github/pull-request.js";
import type { ReviewEnv } from "../../src/github/review.js";
import { APP_ID, APPROVAL, FAST_REQUESTS, helloWorld, type Harness } from "./harness.js";

export const LEASE = 60_000;
export const REPO = { owner: "Codertocat", repo: "Hello-World" };
export const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
/** No evaluation of this process is newer (the other one runs in another process). */
export const noNewer: Generation = { seq: 1, keys: [], superseded: () => null };
export const check = { name: APPROVAL } as unknown as CheckDefinition;
export const pass: CheckResult = {
  conclusion: "success",
  title: "Approved by @alice",
  summary: "ok",
};
export const block: CheckResult = {
  conclusion: "action_required",
  title: "Waiting for DBA approval (0 of 1)",
  summary: "the approval was dismissed",
};

/**
 * A pull request (#2) changing the README in `h`'s fake, and how an evaluation that started at
 * `startedAt`, registered as `inFlight` (none: not registered), writes on its head.
 */
export async function approvalWriting(h: Harness): Promise<{
  headSha: string;
  octokit: GitHubClient;
  writing(startedAt: number, inFlight?: InFlightEntry, number?: number): Writing;
}> {
  const { headSha } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
  const base = (await h.probot.auth(h.fake.installationId)) as unknown as GitHubClient;
  const octokit = createClientFactory(FAST_REQUESTS)({
    octokit: base,
    payload: { installation: { id: h.fake.installationId } },
  });
  const env = { octokit, log: silent } as unknown as ReviewEnv;
  return {
    headSha,
    octokit,
    // Requests go to the repository whatever name the evaluation was delivered under.
    writing: (startedAt, inFlight, number = 2) => {
      const pr = { ...REPO, number, headSha } as PullRequestInfo;
      return {
        env,
        repo: REPO,
        pr,
        startedAt,
        appId: APP_ID,
        generation: noNewer,
        ...(inFlight ? { inFlight } : {}),
        log: silent,
        outcome: { target: pr, conclusions: {}, requests: 0 },
      };
    },
  };
}
