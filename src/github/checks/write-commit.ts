/**
 * The write stage for checks of a commit no pull request owns (a merge group's head): as a review
 * writes its runs (write.ts), a quick evaluation (settled within `pendingAfterMs`, deadline.ts) is
 * written as one completed create per check, and a slow one shows its runs in_progress while it
 * runs and completes them at the end. There is no pull request whose newer evaluations or earlier
 * identical runs to look for. Whatever fails, every started run ends completed (failure with the
 * reason), never left in progress.
 */
import type { Logger } from "probot";
import type { GitHubClient, RepoRef } from "../client.js";
import { settledWithin } from "../deadline.js";
import { describeError } from "../errors.js";
import { CheckRun } from "./check-run.js";
import type { CheckResult, Conclusion } from "./types.js";

export interface CommitCheck {
  name: string;
  /** Output while a slow evaluation runs. */
  pending: { title: string; summary: string };
  detailsUrl?: string;
}

export interface CommitWriting {
  octokit: GitHubClient;
  repo: RepoRef;
  headSha: string;
  /** Every run's external_id, unless its result names one. */
  externalId: string;
  /** When the evaluation started (ms since the epoch), for the runs' markers. */
  startedAt: number;
  /** Shown in_progress after this long (≤ 0: before evaluating). */
  pendingAfterMs: number;
  log: Logger;
  /** A check's result when its run could not be written or started: failure with the reason. */
  failed(reason: string): CheckResult;
}

/**
 * Evaluates (`evaluate` must not reject: a failed evaluation is each check's failure) and writes
 * one run per check; returns the conclusions written. Throws when GitHub accepts none of a
 * check's writes.
 */
export async function writeCommitChecks(
  w: CommitWriting,
  checks: readonly CommitCheck[],
  evaluate: () => Promise<readonly CheckResult[]>,
): Promise<Record<string, Conclusion>> {
  if (w.pendingAfterMs > 0) {
    const evaluated = evaluate();
    if (await settledWithin(evaluated, w.pendingAfterMs)) {
      const results = await evaluated;
      return writeEach(w, checks, (check, i) => {
        const result = results[i]!;
        return {
          result,
          write: () => CheckRun.write(w.octokit, w.repo, start(w, check), result).then(() => {}),
          fail: (err) =>
            CheckRun.reportFailedWrite(
              w.octokit,
              w.repo,
              { ...start(w, check), externalId: result.externalId ?? w.externalId },
              err,
              w.failed,
            ),
        };
      });
    }
    return writeSlowly(w, checks, () => evaluated);
  }
  return writeSlowly(w, checks, evaluate);
}

async function writeSlowly(
  w: CommitWriting,
  checks: readonly CommitCheck[],
  evaluate: () => Promise<readonly CheckResult[]>,
): Promise<Record<string, Conclusion>> {
  const runs: CheckRun[] = [];
  for (const check of checks) {
    try {
      runs.push(await CheckRun.start(w.octokit, w.repo, { ...start(w, check), ...check.pending }));
    } catch (err) {
      w.log.error({ err, check: check.name }, "starting the check run failed");
      // Started runs are completed as failed, the others created so: every check says why.
      const failed = w.failed(describeError(err));
      return writeEach(w, checks, (c, i) => ({
        result: failed,
        write: () =>
          runs[i]
            ? runs[i].complete(failed)
            : CheckRun.report(w.octokit, w.repo, start(w, c), failed),
      }));
    }
  }
  const results = await evaluate();
  return writeEach(w, checks, (_, i) => ({
    result: results[i]!,
    write: () => runs[i]!.complete(results[i]!),
    fail: (err) => runs[i]!.complete(w.failed(describeError(err))),
  }));
}

function start(w: CommitWriting, check: CommitCheck) {
  return {
    name: check.name,
    headSha: w.headSha,
    externalId: w.externalId,
    startedAt: w.startedAt,
    ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
  };
}

interface Write {
  result: CheckResult;
  write(): Promise<void>;
  /** Writes the failure `err` to write `result` instead (none: the failure is thrown). */
  fail?(err: unknown): Promise<void>;
}

/** Each check's write, its failure written instead when it fails; throws what could not be. */
async function writeEach(
  w: CommitWriting,
  checks: readonly CommitCheck[],
  writeOf: (check: CommitCheck, i: number) => Write,
): Promise<Record<string, Conclusion>> {
  const out: Record<string, Conclusion> = {};
  const unwritten: unknown[] = [];
  for (const [i, check] of checks.entries()) {
    const { result, write, fail } = writeOf(check, i);
    try {
      await write();
      out[check.name] = result.conclusion;
    } catch (err) {
      w.log.error({ err, check: check.name }, "writing the check run failed");
      try {
        if (!fail) throw err;
        await fail(err);
        out[check.name] = "failure";
      } catch (err2) {
        unwritten.push(err2);
      }
    }
  }
  if (unwritten.length > 0) throw new AggregateError(unwritten, "check runs could not be written");
  return out;
}
