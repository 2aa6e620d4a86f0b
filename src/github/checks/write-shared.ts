/**
 * What both check-run writers share (write.ts: quick evaluations, write-slow.ts: slow ones): the
 * evaluation being written, the creates in one request, failures before any run could start,
 * and the results an older evaluation ends with instead of a pass.
 */
import type { Logger } from "probot";
import type { GitHubClient, RepoRef } from "../client.js";
import { describeError } from "../errors.js";
import type { PullRequestInfo } from "../pull-request.js";
import type { ReviewEnv, ReviewOutcome } from "../review.js";
import { createCheckRuns, type Created } from "./batch-create.js";
import { CheckRun } from "./check-run.js";
import { errorResult } from "./common.js";
import type { Generation, InFlightEntry } from "./in-flight.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./types.js";
import { createCheckRun, type CreateCheckRun } from "./uncertain-writes.js";

/**
 * An evaluation's results by the index of their check: rendered already, or rendered when asked
 * (a slow review renders each check just before completing its run).
 */
export interface LazyResults {
  result(i: number): Promise<CheckResult>;
}

export interface Rendered {
  check: CheckDefinition;
  result: CheckResult;
}

export interface Writing {
  env: ReviewEnv;
  repo: RepoRef;
  pr: PullRequestInfo;
  startedAt: number;
  /** This app's id; null in token-only setups (then nothing counts as already written). */
  appId: number | null;
  generation: Generation;
  /**
   * Its registration among the evaluations in progress (in-flight.ts); absent: nothing proven
   * alone (every block written) and always live.
   */
  inFlight?: InFlightEntry;
  log: Logger;
  outcome: ReviewOutcome;
}

/**
 * Each create's answer: all in one mutation request when the first read gave the repository's
 * node id, else one REST create each, as before.
 */
export async function createAll(
  w: Writing,
  creates: readonly CreateCheckRun[],
  stopAtFailure = false,
): Promise<Created[]> {
  if (creates.length === 0) return [];
  const nodeId = w.pr.baseRepoNodeId;
  if (nodeId !== undefined) return createCheckRuns(w.env.octokit, nodeId, creates);
  const out: Created[] = [];
  for (const c of creates) {
    try {
      out.push({ run: await createCheckRun(w.env.octokit, c) });
    } catch (error) {
      out.push({ error });
      // Starts one by one stop at the first failure, as they always did (the rest: reported).
      if (stopAtFailure) {
        while (out.length < creates.length) out.push({ error });
        break;
      }
    }
  }
  return out;
}

/**
 * Writes each check as a completed failure with the reason, on `headSha`: for failures before
 * any run could be started. Throws when GitHub accepts none of it.
 */
export async function reportFailure(
  octokit: GitHubClient,
  repo: RepoRef,
  headSha: string,
  externalId: string,
  checks: readonly CheckDefinition[],
  err: unknown,
  log: Logger,
  outcome?: ReviewOutcome,
): Promise<void> {
  const result = errorResult(describeError(err));
  const unwritten: unknown[] = [];
  for (const check of checks) {
    try {
      await CheckRun.report(
        octokit,
        repo,
        {
          name: check.name,
          headSha,
          externalId,
          ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
        },
        result,
      );
      if (outcome) outcome.conclusions[check.name] = "failure";
    } catch (err2) {
      log.error({ err: err2, check: check.name }, "could not report the failure");
      unwritten.push(err2);
    }
  }
  if (unwritten.length > 0) throw new AggregateError(unwritten, "check runs could not be written");
}

/** Conclusions that satisfy a required check. */
export const PASSING = new Set<Conclusion>(["success", "neutral"]);

export interface NewerRun {
  /** Null for an evaluation of this process that has not written its run. */
  id: number | null;
  url: string | null;
}

/**
 * An older run's end when it would have passed: failure, pointing at the newer run.
 */
export function supersededResult(newer: NewerRun): CheckResult {
  const link =
    newer.id === null
      ? "it writes its own run"
      : newer.url
        ? `[check run ${newer.id}](${newer.url})`
        : `check run ${newer.id}`;
  return {
    conclusion: "failure",
    title: "Superseded by a newer check run",
    summary: [
      `A newer evaluation of this commit started while this one ran: ${link}. Its result is the one that counts; this run ends as failure rather than pass on an older answer.`,
      "",
      "If GitHub shows this run as the latest one, re-run the check.",
    ].join("\n"),
  };
}

/**
 * `replacement`, keeping the approval record `own` would have written: an accepted click was
 * judged on complete facts, and later evaluations must still find it.
 */
export function keepRecord(replacement: CheckResult, own: CheckResult): CheckResult {
  return own.externalId !== undefined
    ? { ...replacement, externalId: own.externalId }
    : replacement;
}

/**
 * What a pass becomes when its evaluation outlived its registration (in-flight.ts), or the
 * registry lost it (InFlightEntry.held): either way others may have decided without seeing it.
 */
export function expiredResult(): CheckResult {
  return {
    conclusion: "failure",
    title: "Evaluation took too long to be trusted",
    summary: [
      "This evaluation was still writing after its registration among the evaluations in progress had expired (or the registry no longer held it: Redis restarted, failed over or dropped it), so a newer evaluation may have decided without seeing it. It does not pass on that answer.",
      "",
      "Re-run the check to evaluate the pull request again.",
    ].join("\n"),
  };
}
